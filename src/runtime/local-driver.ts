import {existsSync, realpathSync} from 'node:fs'
import {mkdir, readdir, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'
import {agentEndpoints} from '../contract/agent-endpoints.js'
import {INSTANCE_SECRET_HEADER} from '../contract/agent-header.js'
import type {Isolation} from '../contract/instances.js'
import {exitStatus} from '../agent/tools/tool-sandbox.js'
import {packageRoot as defaultPackageRoot} from '../paths.js'
import {agentRequest} from './agent-client.js'
import {AgentLauncher, INSTANCE_UID_BASE, type LaunchedAgent, type LaunchOptions, rootDrop} from './agent-launch.js'
import {pipeAgentLogs} from './agent-logs.js'
import {packStorage, unpackStorage} from './storage-archive.js'
import type {AgentEndpoint, InstanceDriver, InstanceExit, InstanceProcessState, StartedInstance, StartInit} from './driver.js'
import {EgressProxy, type EgressRecord} from './egress-proxy.js'
import {AGENT_SOCKET_NAME, type BwrapProfile, EGRESS_SOCKET_NAME, type LaunchSpec, probeBwrap, type SandboxLayout} from './sandbox.js'

export interface LocalDriverOptions extends LaunchOptions {
  dataDir: string
  /** 'auto': bwrap when it works here; 'bwrap': required (start-up fails without it); 'none'. */
  sandbox: 'auto' | 'bwrap' | 'none'
  egressAllow: readonly string[]
  /** Addresses the egress proxy never dials (see EgressPolicy.forbidAddress). */
  egressForbid?: (address: string) => boolean
  maxEgressConnections?: number
  startTimeoutMs?: number
  stopTimeoutMs?: number
  /** bubblewrap's path (default: found on the system paths). */
  bwrapPath?: string
}

/** Probes bwrap once (per `sandbox`) and returns a ready driver. */
export async function createLocalDriver(opts: LocalDriverOptions): Promise<LocalDriver> {
  const nodePath = realpathSync(opts.nodePath ?? process.execPath)
  const root = opts.packageRoot ?? defaultPackageRoot
  let profile: BwrapProfile | undefined
  let reason: string
  const setprivPath = rootDrop()
  if (process.getuid?.() === 0 && !setprivPath && opts.sandbox !== 'none') {
    throw new Error('A server running as root needs setpriv (util-linux) to run agents as unprivileged uids. Install util-linux, run the server as an unprivileged user, or pass --sandbox none to run agents as root without isolation.')
  }
  if (opts.sandbox === 'none') {
    reason = 'sandbox disabled by configuration'
  } else {
    const probe = await probeBwrap({nodePath, packageRoot: root, bwrapPath: opts.bwrapPath, runAs: setprivPath ? {uid: INSTANCE_UID_BASE, gid: INSTANCE_UID_BASE, setprivPath} : undefined})
    profile = probe.profile
    reason = probe.reason ?? ''
    if (!probe.ok && opts.sandbox === 'bwrap') throw new Error(`The bwrap sandbox was required, but ${probe.reason}.`)
    // Without bwrap an agent cannot be dropped to another uid (see RunAs): as root it would run as
    // root. Only an operator who asks for no sandbox by name gets that.
    if (!probe.ok && setprivPath) throw new Error(`A server running as root needs the bwrap sandbox to run agents as unprivileged uids, but ${probe.reason}. Install bubblewrap, run the server as an unprivileged user, or pass --sandbox none to run agents as root without isolation.`)
  }
  await mkdir(join(opts.dataDir, 'instances'), {recursive: true, mode: 0o700})
  await mkdir(join(opts.dataDir, 'egress'), {recursive: true, mode: 0o700})
  return new LocalDriver({...opts, nodePath, packageRoot: root}, profile, reason)
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
/** sun_path is 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH = 107

interface RunningProcess {
  agent: LaunchedAgent
  state: 'starting' | 'running'
  stopRequested: boolean
  stderrTail: string[]
  exited: Promise<InstanceExit>
  wake?: () => void
}

/**
 * One OS process per instance running the thin agent (`dist/src/agent/main.js`), inside bwrap
 * when the host allows (see sandbox.ts), else as a plain child process in its own directory.
 * This file supervises the processes (start-up wait, stop, exits); agent-launch.ts starts them,
 * agent-logs.ts pipes their output.
 */
export class LocalDriver implements InstanceDriver {
  readonly isolation: Isolation
  private readonly launcher: AgentLauncher
  private readonly procs = new Map<string, RunningProcess>()
  private readonly exits = new Map<string, InstanceExit>()
  private readonly exitListeners = new Set<(id: string, exit: InstanceExit) => void>()
  private readonly egressListeners = new Set<(record: EgressRecord) => void>()
  private readonly logListeners = new Set<(id: string, stream: 'stdout' | 'stderr', line: string) => void>()
  private readonly egress: EgressProxy

  constructor(
    private readonly opts: LocalDriverOptions & {nodePath: string; packageRoot: string},
    profile: BwrapProfile | undefined,
    reasonWithout: string,
  ) {
    this.launcher = new AgentLauncher(opts, profile)
    this.isolation = this.launcher.isolation(reasonWithout)
    this.egress = new EgressProxy({allow: opts.egressAllow, maxConnectionsPerInstance: opts.maxEgressConnections, forbidAddress: opts.egressForbid}, (record) => {
      for (const listener of this.egressListeners) listener(record)
    })
  }

  // ---- paths ----

  instanceDir(id: string): string {
    checkId(id)
    return join(this.opts.dataDir, 'instances', id)
  }

  private egressDir(id: string): string {
    return join(this.opts.dataDir, 'egress', id)
  }

  private layout(id: string): SandboxLayout {
    return {instanceDir: this.instanceDir(id), egressDir: this.egressDir(id), nodePath: this.opts.nodePath, packageRoot: this.opts.packageRoot}
  }

  connect(id: string): AgentEndpoint {
    return {socketPath: join(this.instanceDir(id), AGENT_SOCKET_NAME), secretHeader: INSTANCE_SECRET_HEADER}
  }

  /** The launch of `command` in instance `id`'s sandbox, with exactly the agent's arguments and limits (tests run probes with it). */
  launchSpec(id: string, command: string[]): LaunchSpec {
    return this.launcher.launchSpec(id, this.layout(id), command)
  }

  // ---- lifecycle ----

  async create(id: string): Promise<void> {
    const dir = this.instanceDir(id)
    checkSocketPath(this.connect(id).socketPath)
    checkSocketPath(join(this.egressDir(id), EGRESS_SOCKET_NAME))
    await mkdir(dir, {recursive: true, mode: 0o700})
    await mkdir(this.egressDir(id), {recursive: true, mode: 0o700})
  }

  async start(id: string, init: StartInit): Promise<StartedInstance> {
    const dir = this.instanceDir(id)
    if (!existsSync(dir)) throw new Error(`instance ${id} has no storage (create it first)`)
    if (this.procs.has(id)) throw new Error(`instance ${id} is already running`)
    const egressDir = this.egressDir(id)
    await mkdir(egressDir, {recursive: true, mode: 0o700})
    const socketPath = this.connect(id).socketPath
    await rm(socketPath, {force: true})
    await this.egress.open(id, join(egressDir, EGRESS_SOCKET_NAME))

    const layout = this.layout(id)
    await this.launcher.openTools(id, layout, () => this.procs.get(id)?.agent.agentPid)
    await this.launcher.prepare(id, layout)
    const began = Date.now()
    const agent = this.launcher.spawn(id, layout, init)
    const {child} = agent
    const proc: RunningProcess = {
      agent,
      state: 'starting',
      stopRequested: false,
      stderrTail: [],
      exited: new Promise<InstanceExit>((resolve) => {
        child.once('exit', (code, signal) => resolve(this.onChildExit(id, proc, code, signal)))
        child.once('error', (error) => {
          proc.stderrTail.push(error.message)
          if (child.exitCode === null && child.pid === undefined) resolve(this.onChildExit(id, proc, -1, null))
        })
      }),
    }
    this.procs.set(id, proc)
    pipeAgentLogs(child, proc, (stream, line) => notify(this.logListeners, id, stream, line))

    try {
      await this.waitHealthy(id, proc, init.secret)
    } catch (error) {
      await this.kill(id, proc)
      throw error
    }
    proc.state = 'running'
    return {pid: agent.agentPid ?? child.pid!, startedAt: began, startMs: Date.now() - began}
  }

  setEgressExtra(id: string, entries: readonly string[]): void {
    this.egress.allowFor(id, entries)
  }

  async stop(id: string): Promise<void> {
    checkId(id)
    const proc = this.procs.get(id)
    if (!proc) return void (await this.closeSockets(id))
    proc.stopRequested = true
    if (proc.agent.agentPid) signal(proc.agent.agentPid, 'SIGTERM')
    else signal(proc.agent.child.pid, 'SIGKILL')
    const stopped = await Promise.race([proc.exited.then(() => true), delay(this.opts.stopTimeoutMs ?? 5000, undefined, {ref: false}).then(() => false)])
    if (!stopped) await this.kill(id, proc)
    await this.closeSockets(id)
  }

  async destroy(id: string): Promise<void> {
    await this.stop(id)
    await rm(this.instanceDir(id), {recursive: true, force: true})
    await rm(this.egressDir(id), {recursive: true, force: true})
    this.exits.delete(id)
  }

  async status(id: string): Promise<InstanceProcessState> {
    const proc = this.procs.get(id)
    if (proc) return proc.state
    try {
      return (await stat(this.instanceDir(id))).isDirectory() ? 'stopped' : 'missing'
    } catch {
      return 'missing'
    }
  }

  lastExit(id: string): InstanceExit | undefined {
    return this.exits.get(id)
  }

  /** The agent's host pid, while it runs (tests kill it to simulate a crash). */
  agentPid(id: string): number | undefined {
    return this.procs.get(id)?.agent.agentPid
  }

  async exportStorage(id: string): Promise<Buffer> {
    if (this.procs.has(id)) throw new Error(`instance ${id} is running; stop it before copying its storage`)
    return packStorage(this.instanceDir(id))
  }

  async importStorage(id: string, bytes: Buffer): Promise<void> {
    const dir = this.instanceDir(id)
    if (existsSync(dir)) throw new Error(`instance ${id} already has storage here`)
    await unpackStorage(bytes, dir)
    await mkdir(this.egressDir(id), {recursive: true, mode: 0o700})
  }

  async list(): Promise<string[]> {
    const entries = await readdir(join(this.opts.dataDir, 'instances'), {withFileTypes: true}).catch(() => [])
    return entries.filter((e) => e.isDirectory() && ID_PATTERN.test(e.name)).map((e) => e.name)
  }

  onExit(listener: (id: string, exit: InstanceExit) => void): () => void {
    this.exitListeners.add(listener)
    return () => this.exitListeners.delete(listener)
  }

  onEgress(listener: (record: EgressRecord) => void): () => void {
    this.egressListeners.add(listener)
    return () => this.egressListeners.delete(listener)
  }

  onLog(listener: (id: string, stream: 'stdout' | 'stderr', line: string) => void): () => void {
    this.logListeners.add(listener)
    return () => this.logListeners.delete(listener)
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.procs.keys()].map((id) => this.stop(id)))
    await Promise.all([this.egress.closeAll(), this.launcher.closeTools()])
  }

  // ---- internals ----

  /** The instance's egress proxy and tool launcher sockets; running calls are cancelled. */
  private async closeSockets(id: string): Promise<void> {
    await Promise.all([this.egress.close(id), this.launcher.closeTools(id)])
  }

  private async waitHealthy(id: string, proc: RunningProcess, secret: string): Promise<void> {
    const timeoutMs = this.opts.startTimeoutMs ?? 15_000
    const deadline = Date.now() + timeoutMs
    const socketPath = this.connect(id).socketPath
    let exit: InstanceExit | undefined
    void proc.exited.then((e) => (exit = e))
    let lastError = ''
    for (let attempt = 0; ; attempt++) {
      if (exit) throw this.startError(id, `the agent exited during start-up (${describeExit(exit)})`, proc)
      if (Date.now() > deadline) throw this.startError(id, `the agent did not answer its health check within ${timeoutMs} ms (${lastError})`, proc)
      if (existsSync(socketPath)) {
        try {
          const res = await agentRequest({socketPath, secret}, agentEndpoints.health.method, agentEndpoints.health.path, {timeoutMs: 2000})
          if (res.status === 200) return
          lastError = `health check answered ${res.status}`
        } catch (error) {
          lastError = (error as Error).message
        }
      }
      await Promise.race([delay(Math.min(5 + attempt * 5, 50), undefined, {ref: false}), proc.exited, new Promise<void>((resolve) => (proc.wake = resolve))])
    }
  }

  private startError(id: string, what: string, proc: RunningProcess): Error {
    const tail = proc.stderrTail.slice(-8).join('\n')
    return new Error(`instance ${id}: ${what}${tail ? `\nlast stderr lines:\n${tail}` : ''}`)
  }

  /** SIGKILL the agent and its bwrap parent, and wait (bounded) for the exit. */
  private async kill(id: string, proc: RunningProcess): Promise<void> {
    proc.stopRequested = true
    signal(proc.agent.agentPid, 'SIGKILL')
    signal(proc.agent.child.pid, 'SIGKILL')
    await Promise.race([proc.exited, delay(5000, undefined, {ref: false})])
    await this.closeSockets(id)
  }

  private onChildExit(id: string, proc: RunningProcess, code: number | null, sig: NodeJS.Signals | null): InstanceExit {
    const {exitCode, signal: signalName} = this.launcher.mode === 'bwrap' ? exitStatus(code, sig) : {exitCode: code, signal: sig}
    const exit: InstanceExit = {code: exitCode, signal: signalName, at: Date.now(), expected: proc.stopRequested, stderrTail: proc.stderrTail.slice()}
    if (this.procs.get(id) === proc) this.procs.delete(id)
    proc.agent.lifeline?.destroy()
    this.exits.set(id, exit)
    void this.closeSockets(id)
    notify(this.exitListeners, id, exit)
    return exit
  }
}

/** Calls each listener; one that throws stops neither the others nor the driver. */
function notify<A extends unknown[]>(listeners: Iterable<(...args: A) => void>, ...args: A): void {
  for (const listener of listeners) {
    try {
      listener(...args)
    } catch {}
  }
}

function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new Error(`not a valid instance id: ${JSON.stringify(id).slice(0, 80)}`)
}

function checkSocketPath(path: string): void {
  const bytes = Buffer.byteLength(path)
  if (bytes > MAX_SOCKET_PATH) {
    throw new Error(`The instance socket path ${path} is ${bytes} bytes; unix sockets allow ${MAX_SOCKET_PATH}. Use a shorter --data-dir.`)
  }
}

function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return
  try {
    process.kill(pid, sig)
  } catch {}
}

function describeExit(exit: InstanceExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`
}
