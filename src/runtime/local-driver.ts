import {type ChildProcess, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, realpathSync} from 'node:fs'
import {chown, lchown, mkdir, readdir, rm, stat} from 'node:fs/promises'
import {constants as osConstants} from 'node:os'
import {join} from 'node:path'
import type {Readable} from 'node:stream'
import {INSTANCE_SECRET_HEADER} from '../contract/agent-header.js'
import {agentInitSchema, type AgentInit} from '../contract/agent.js'
import type {Isolation} from '../contract/instances.js'
import {builtPath, packageRoot as defaultPackageRoot} from '../paths.js'
import {agentRequest} from './agent-client.js'
import {packStorage, unpackStorage} from './storage-archive.js'
import type {AgentEndpoint, InstanceDriver, InstanceExit, InstanceProcessState, StartedInstance, StartInit} from './driver.js'
import {EgressProxy, type EgressRecord} from './egress-proxy.js'
import {resolveLimits} from '../agent/tools/limits.js'
import {ToolLauncher} from './tool-launcher.js'
import {
  AGENT_SOCKET_NAME,
  agentPaths,
  buildLaunch,
  type BwrapProfile,
  EGRESS_SOCKET_NAME,
  SANDBOX_EGRESS_DIR,
  TOOLS_SOCKET_NAME,
  findExecutable,
  type LaunchSpec,
  probeBwrap,
  type RunAs,
  SANDBOX_TOOLS_DIR,
  type SandboxLayout,
  type SandboxMode,
} from './sandbox.js'

export interface LocalDriverOptions {
  dataDir: string
  /** 'auto': bwrap when it works here; 'bwrap': required (start-up fails without it); 'none'. */
  sandbox: 'auto' | 'bwrap' | 'none'
  memoryLimitMb: number
  egressAllow: readonly string[]
  /** Addresses the egress proxy never dials (see EgressPolicy.forbidAddress). */
  egressForbid?: (address: string) => boolean
  maxEgressConnections?: number
  startTimeoutMs?: number
  stopTimeoutMs?: number
  nodePath?: string
  agentEntry?: string
  packageRoot?: string
  /** The in-memory disk of the agent's exec calls (the /tools tmpfs), in MB. */
  toolsDiskMb?: number
  /** bubblewrap's path (default: found on the system paths). */
  bwrapPath?: string
  /** Per-call tool bounds passed to the agent (src/agent/tools/limits.ts names them). */
  toolLimits?: Record<string, number>
}

/**
 * Host uids for agents when the server runs as root: one per instance, in a range far above
 * ordinary users and the usual subuid ranges (100000-165535 per user), from a hash of the id, so
 * two instances share a uid only by a 1-in-16-million chance and a restart keeps the same one.
 * INSTANCE_UID_BASE itself is the probe's.
 */
export const INSTANCE_UID_BASE = 1_500_000_000
const INSTANCE_UID_RANGE = 2 ** 24

/** setpriv's path when the server is root (the agent must then be dropped to another uid). */
function rootDrop(): string | undefined {
  return process.getuid?.() === 0 ? findExecutable('setpriv') : undefined
}

export function instanceUid(id: string): number {
  const n = createHash('sha256').update(id).digest().readUInt32BE(0)
  return INSTANCE_UID_BASE + 1 + (n % (INSTANCE_UID_RANGE - 1))
}

/** The host uid (and gid) of an instance's exec calls: the next range up, so never an agent's. */
export function toolUid(id: string): number {
  return instanceUid(id) + INSTANCE_UID_RANGE
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
    // Without bwrap an agent cannot be dropped to another uid (see runAs): as root it would run as
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
const STDERR_TAIL_LINES = 20
const MAX_LOG_LINE = 4096

interface RunningProcess {
  child: ChildProcess
  /** The agent's host pid: the child itself, or inside bwrap the sandbox's pid 1. */
  agentPid?: number
  state: 'starting' | 'running'
  stopRequested: boolean
  stderrTail: string[]
  exited: Promise<InstanceExit>
  /** Held open, never written: a plain-process agent exits when it closes (server died). */
  lifeline?: Readable
  /** Wakes the start-up wait early: the agent logs a line once it listens. */
  wake?: () => void
}

/**
 * One OS process per instance running the thin agent (`dist/src/agent/main.js`), inside bwrap
 * when the host allows (see sandbox.ts), else as a plain child process in its own directory.
 * The data key, the instance secret and the config reach the agent only through its stdin pipe.
 */
export class LocalDriver implements InstanceDriver {
  readonly isolation: Isolation
  readonly mode: SandboxMode
  private readonly procs = new Map<string, RunningProcess>()
  private readonly exits = new Map<string, InstanceExit>()
  private readonly exitListeners = new Set<(id: string, exit: InstanceExit) => void>()
  private readonly egressListeners = new Set<(record: EgressRecord) => void>()
  private readonly logListeners = new Set<(id: string, stream: 'stdout' | 'stderr', line: string) => void>()
  private readonly egress: EgressProxy
  /** Starts exec calls as each instance's tool uid, when the agents run as per-instance uids. */
  private readonly toolLauncher?: ToolLauncher
  private readonly prlimitPath = findExecutable('prlimit')
  private readonly agentEntry: string
  /** The server runs as root: the agent runs as a per-instance uid instead (setpriv's path). */
  private readonly setprivPath = rootDrop()

  constructor(
    private readonly opts: LocalDriverOptions & {nodePath: string; packageRoot: string},
    private readonly profile: BwrapProfile | undefined,
    reasonWithout: string,
  ) {
    this.mode = profile ? 'bwrap' : 'process'
    this.agentEntry = opts.agentEntry ?? builtPath('src/agent/main.ts')
    const memory = this.prlimitPath
      ? `memory: ${opts.memoryLimitMb} MB heap, RLIMIT_DATA backstop`
      : `memory: ${opts.memoryLimitMb} MB heap (prlimit not found: no OS-level limit)`
    const tools = profile?.nested
      ? `tools run in a nested sandbox (own user, pid, ipc and mount namespaces${this.setprivPath && findExecutable('nsenter') ? ', and a host uid of their own' : ''})`
      : 'no tool sandbox (exec unavailable)'
    const uid = this.setprivPath ? '; runs as a per-instance unprivileged host uid' : ''
    this.isolation = profile
      ? {
          mode: 'bwrap',
          namespaces: ['mount', 'pid', 'net', 'ipc', 'uts', 'cgroup', ...(profile.userns && !this.setprivPath ? ['user'] : [])],
          note: `bubblewrap; network only through the egress proxy; ${memory}; ${tools}${uid}`,
        }
      : {
          mode: 'process',
          namespaces: [],
          note: `${reasonWithout}: each instance is its own process in its own directory, without namespace isolation; ${memory}`,
        }
    const nsenterPath = findExecutable('nsenter')
    if (this.setprivPath && nsenterPath && profile?.nested) {
      this.toolLauncher = new ToolLauncher({nsenter: nsenterPath, setpriv: this.setprivPath, bwrap: profile.bwrapPath, prlimit: this.prlimitPath ?? null})
    }
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

  /**
   * The launch of `command` in instance `id`'s sandbox, with exactly the agent's arguments and
   * limits. The agent's own launch is this plus its node flags; tests run probes with it.
   */
  launchSpec(id: string, command: string[], extra: {infoFd?: number} = {}): LaunchSpec {
    return buildLaunch({
      mode: this.mode,
      profile: this.profile,
      layout: this.layout(id),
      command,
      memoryLimitMb: this.opts.memoryLimitMb,
      prlimitPath: this.prlimitPath,
      infoFd: extra.infoFd,
      runAs: this.runAs(id),
      toolsDiskMb: this.toolsDiskMb,
    })
  }

  private get toolsDiskMb(): number {
    return this.opts.toolsDiskMb ?? 256
  }

  /**
   * The host uid/gid instance `id` runs as, when the server is root. Only under bwrap: a plain
   * process agent would need the data dir's path opened to that uid, so without bwrap the agent
   * keeps the server's uid (and `instance show` says the instance is not isolated).
   */
  runAs(id: string): RunAs | undefined {
    if (!this.setprivPath || this.mode !== 'bwrap') return undefined
    const uid = instanceUid(id)
    return {uid, gid: uid, setprivPath: this.setprivPath, ...(this.toolLauncher ? {toolGid: toolUid(id)} : {})}
  }

  /** What the agent is told about its tools: limits, and the nested sandbox when it has one. */
  private toolsConfig(id: string): Record<string, unknown> {
    const launcher = this.toolLauncher && {socket: join(SANDBOX_EGRESS_DIR, TOOLS_SOCKET_NAME), gid: toolUid(id)}
    const sandbox =
      this.mode === 'bwrap' && this.profile?.nested
        ? {bwrapPath: this.profile.bwrapPath, workRoot: SANDBOX_TOOLS_DIR, proxy: true, prlimitPath: this.prlimitPath ?? null, ...(launcher ? {launcher} : {})}
        : undefined
    return {...(this.opts.toolLimits ? {limits: this.opts.toolLimits} : {}), ...(sandbox ? {sandbox} : {})}
  }

  /**
   * Hands the instance's files to its uid (an instance first run by an older server was root's),
   * and lets it reach its egress socket (the egress directory is bound read-only into its sandbox).
   */
  private async handOver(id: string, runAs: RunAs): Promise<void> {
    await chownTree(this.instanceDir(id), runAs)
    await chown(this.egressDir(id), runAs.uid, runAs.gid)
    await chown(join(this.egressDir(id), EGRESS_SOCKET_NAME), runAs.uid, runAs.gid)
  }

  /** The agent's node command line (no secrets: those go through stdin). */
  agentCommand(id: string): string[] {
    return [
      this.opts.nodePath,
      `--max-old-space-size=${this.opts.memoryLimitMb}`,
      // Small young generation: an idle agent should not hold 16 MB semi-spaces.
      '--max-semi-space-size=2',
      '--disallow-code-generation-from-strings',
      this.agentEntry,
      id,
    ]
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
    const runAs = this.runAs(id)
    if (this.toolLauncher && runAs) {
      const target = {agentPid: () => this.procs.get(id)?.agentPid, agentUid: runAs.uid, uid: toolUid(id), gid: toolUid(id), limits: resolveLimits(this.opts.toolLimits)}
      await this.toolLauncher.open(id, join(egressDir, TOOLS_SOCKET_NAME), target)
    }

    const paths = agentPaths(this.mode, this.layout(id))
    // A dropped agent loses bwrap's parent-death signal with its change of uid, so it watches a
    // lifeline too (fd 4, passed through bwrap), like a plain process does on fd 3.
    const lifelineFd = this.mode === 'process' ? 3 : runAs ? 4 : null
    const message: AgentInit = agentInitSchema.parse({
      v: 1,
      instance_id: id,
      data_key: init.dataKey.toString('base64'),
      secret: init.secret,
      dir: paths.dir,
      socket: paths.socket,
      egress_socket: paths.egressSocket,
      lifeline_fd: lifelineFd,
      config: {...init.config, tools: {...(init.config.tools as object | undefined), ...this.toolsConfig(id)}},
    })
    const spec = this.launchSpec(id, this.agentCommand(id), {infoFd: this.mode === 'bwrap' ? 3 : undefined})
    if (runAs) await this.handOver(id, runAs)
    const began = Date.now()
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: lifelineFd === 4 ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe'],
      // Its own session: a Ctrl-C meant for the server's terminal does not hit instances.
      detached: true,
    })
    const proc: RunningProcess = {
      child,
      agentPid: this.mode === 'process' ? child.pid : undefined,
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
    this.pipeLines(id, 'stdout', child.stdout!, proc)
    this.pipeLines(id, 'stderr', child.stderr!, proc)
    const extra = child.stdio[3] as Readable
    if (this.mode === 'bwrap') this.readInfo(extra, proc)
    else proc.lifeline = extra
    extra.on('error', () => {})
    if (lifelineFd === 4) {
      proc.lifeline = child.stdio[4] as Readable
      proc.lifeline.on('error', () => {})
    }

    child.stdin!.on('error', () => {})
    child.stdin!.end(JSON.stringify(message) + '\n')

    try {
      await this.waitHealthy(id, proc, init.secret)
    } catch (error) {
      await this.kill(id, proc)
      throw error
    }
    proc.state = 'running'
    return {pid: proc.agentPid ?? child.pid!, startedAt: began, startMs: Date.now() - began}
  }

  setEgressExtra(id: string, entries: readonly string[]): void {
    this.egress.allowFor(id, entries)
  }

  async stop(id: string): Promise<void> {
    checkId(id)
    const proc = this.procs.get(id)
    if (!proc) return void (await this.closeSockets(id))
    proc.stopRequested = true
    if (proc.agentPid) signal(proc.agentPid, 'SIGTERM')
    else signal(proc.child.pid, 'SIGKILL')
    const stopped = await Promise.race([proc.exited.then(() => true), delay(this.opts.stopTimeoutMs ?? 5000).then(() => false)])
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
    return this.procs.get(id)?.agentPid
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
    await Promise.all([this.egress.closeAll(), this.toolLauncher?.closeAll()])
  }

  // ---- internals ----

  /** The instance's egress proxy and tool launcher sockets; running calls are cancelled. */
  private async closeSockets(id: string): Promise<void> {
    await Promise.all([this.egress.close(id), this.toolLauncher?.close(id)])
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
          const res = await agentRequest({socketPath, secret}, 'GET', '/health', {timeoutMs: 2000})
          if (res.status === 200) return
          lastError = `health check answered ${res.status}`
        } catch (error) {
          lastError = (error as Error).message
        }
      }
      await Promise.race([delay(Math.min(5 + attempt * 5, 50)), proc.exited, new Promise<void>((resolve) => (proc.wake = resolve))])
    }
  }

  private startError(id: string, what: string, proc: RunningProcess): Error {
    const tail = proc.stderrTail.slice(-8).join('\n')
    return new Error(`instance ${id}: ${what}${tail ? `\nlast stderr lines:\n${tail}` : ''}`)
  }

  /** SIGKILL the agent and its bwrap parent, and wait (bounded) for the exit. */
  private async kill(id: string, proc: RunningProcess): Promise<void> {
    proc.stopRequested = true
    signal(proc.agentPid, 'SIGKILL')
    signal(proc.child.pid, 'SIGKILL')
    await Promise.race([proc.exited, delay(5000)])
    await this.closeSockets(id)
  }

  private onChildExit(id: string, proc: RunningProcess, code: number | null, sig: NodeJS.Signals | null): InstanceExit {
    let signalName: string | null = sig
    let exitCode = code
    // bwrap reports a child killed by signal N as exit code 128 + N.
    if (this.mode === 'bwrap' && code !== null && code > 128 && code < 128 + 65) {
      const name = Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0]
      if (name) {
        signalName = name
        exitCode = null
      }
    }
    const exit: InstanceExit = {code: exitCode, signal: signalName, at: Date.now(), expected: proc.stopRequested, stderrTail: proc.stderrTail.slice()}
    if (this.procs.get(id) === proc) this.procs.delete(id)
    proc.lifeline?.destroy()
    this.exits.set(id, exit)
    void this.closeSockets(id)
    for (const listener of this.exitListeners) {
      try {
        listener(id, exit)
      } catch {}
    }
    return exit
  }

  private pipeLines(id: string, stream: 'stdout' | 'stderr', input: Readable, proc: RunningProcess): void {
    let pending = ''
    input.setEncoding('utf8')
    input.on('data', (chunk: string) => {
      pending += chunk
      let newline: number
      while ((newline = pending.indexOf('\n')) >= 0) {
        this.emitLine(id, stream, pending.slice(0, newline), proc)
        pending = pending.slice(newline + 1)
      }
      if (pending.length > MAX_LOG_LINE) {
        this.emitLine(id, stream, pending, proc)
        pending = ''
      }
    })
    input.on('end', () => pending && this.emitLine(id, stream, pending, proc))
    input.on('error', () => {})
  }

  private emitLine(id: string, stream: 'stdout' | 'stderr', raw: string, proc: RunningProcess): void {
    const line = raw.length > MAX_LOG_LINE ? raw.slice(0, MAX_LOG_LINE) + '…' : raw
    if (stream === 'stdout') proc.wake?.()
    if (stream === 'stderr') {
      proc.stderrTail.push(line)
      if (proc.stderrTail.length > STDERR_TAIL_LINES) proc.stderrTail.shift()
    }
    for (const listener of this.logListeners) {
      try {
        listener(id, stream, line)
      } catch {}
    }
  }

  /** bwrap's --info-fd: {"child-pid": N}, the sandbox's pid 1 (our agent) seen from the host. */
  private readInfo(input: Readable, proc: RunningProcess): void {
    let text = ''
    input.setEncoding('utf8')
    input.on('data', (chunk: string) => {
      text += chunk
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text)
      if (match) proc.agentPid = Number(match[1])
    })
  }
}

async function chownTree(path: string, to: RunAs): Promise<void> {
  await lchown(path, to.uid, to.gid)
  const entries = await readdir(path, {withFileTypes: true}).catch(() => [])
  for (const entry of entries) {
    const child = join(path, entry.name)
    if (entry.isDirectory()) await chownTree(child, to)
    else await lchown(child, to.uid, to.gid).catch(() => {})
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

function describeExit(exit: InstanceExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`
}
