import {type ChildProcess, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chown, lchown, readdir} from 'node:fs/promises'
import {join} from 'node:path'
import type {Readable} from 'node:stream'
import {agentInitSchema, type AgentInit} from '../contract/agent.js'
import type {Isolation} from '../contract/instances.js'
import {resolveLimits} from '../agent/tools/limits.js'
import {builtPath} from '../paths.js'
import type {StartInit} from './driver.js'
import {agentPaths, buildLaunch, type BwrapProfile, EGRESS_SOCKET_NAME, findExecutable, type LaunchSpec, type RunAs, SANDBOX_EGRESS_DIR, SANDBOX_TOOLS_DIR, type SandboxLayout, type SandboxMode, TOOLS_SOCKET_NAME} from './sandbox.js'
import {ToolLauncher} from './tool-launcher.js'

export interface LaunchOptions {
  memoryLimitMb: number
  nodePath?: string
  agentEntry?: string
  packageRoot?: string
  /** The in-memory disk of the agent's exec calls (the /tools tmpfs), in MB. */
  toolsDiskMb?: number
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
export function rootDrop(): string | undefined {
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

/** An agent process just spawned. */
export interface LaunchedAgent {
  child: ChildProcess
  /** The agent's host pid: the child itself, or inside bwrap the sandbox's pid 1 (once bwrap says it). */
  agentPid?: number
  /** Held open, never written: a plain-process agent exits when it closes (server died). */
  lifeline?: Readable
}

/**
 * The one place an agent process is started: its sandbox's arguments (bwrap, setpriv to a
 * per-instance uid when the server is root, prlimit; built by sandbox.ts), its node command line,
 * its init message (the data key, the instance secret and the config reach the agent only through
 * its stdin pipe), and the spawn.
 */
export class AgentLauncher {
  readonly mode: SandboxMode
  private readonly prlimitPath = findExecutable('prlimit')
  private readonly agentEntry: string
  /** The server runs as root: the agent runs as a per-instance uid instead (setpriv's path). */
  private readonly setprivPath = rootDrop()
  /** Starts exec calls as each instance's tool uid, when the agents run as per-instance uids. */
  private readonly tools?: ToolLauncher

  constructor(
    private readonly opts: LaunchOptions & {nodePath: string; packageRoot: string},
    private readonly profile: BwrapProfile | undefined,
  ) {
    this.mode = profile ? 'bwrap' : 'process'
    this.agentEntry = opts.agentEntry ?? builtPath('src/agent/main.ts')
    const nsenterPath = findExecutable('nsenter')
    if (this.setprivPath && nsenterPath && profile?.nested) {
      this.tools = new ToolLauncher({nsenter: nsenterPath, setpriv: this.setprivPath, bwrap: profile.bwrapPath, prlimit: this.prlimitPath ?? null})
    }
  }

  /** What `instance show` says about the agents' isolation; `reasonWithout` says why bwrap is off. */
  isolation(reasonWithout: string): Isolation {
    const memory = this.prlimitPath
      ? `memory: ${this.opts.memoryLimitMb} MB heap, RLIMIT_DATA backstop`
      : `memory: ${this.opts.memoryLimitMb} MB heap (prlimit not found: no OS-level limit)`
    const tools = this.profile?.nested
      ? `tools run in a nested sandbox (own user, pid, ipc and mount namespaces${this.tools ? ', and a host uid of their own' : ''})`
      : 'no tool sandbox (exec unavailable)'
    const uid = this.setprivPath ? '; runs as a per-instance unprivileged host uid' : ''
    return this.profile
      ? {
          mode: 'bwrap',
          namespaces: ['mount', 'pid', 'net', 'ipc', 'uts', 'cgroup', ...(this.profile.userns && !this.setprivPath ? ['user'] : [])],
          note: `bubblewrap; network only through the egress proxy; ${memory}; ${tools}${uid}`,
        }
      : {
          mode: 'process',
          namespaces: [],
          note: `${reasonWithout}: each instance is its own process in its own directory, without namespace isolation; ${memory}`,
        }
  }

  /**
   * The launch of `command` in instance `id`'s sandbox, with exactly the agent's arguments and
   * limits. The agent's own launch is this plus its node flags; tests run probes with it.
   */
  launchSpec(id: string, layout: SandboxLayout, command: string[], extra: {infoFd?: number} = {}): LaunchSpec {
    return buildLaunch({
      mode: this.mode,
      profile: this.profile,
      layout,
      command,
      memoryLimitMb: this.opts.memoryLimitMb,
      prlimitPath: this.prlimitPath,
      infoFd: extra.infoFd,
      runAs: this.runAs(id),
      toolsDiskMb: this.opts.toolsDiskMb ?? 256,
    })
  }

  /**
   * The host uid/gid instance `id` runs as, when the server is root. Only under bwrap: a plain
   * process agent would need the data dir's path opened to that uid, so without bwrap the agent
   * keeps the server's uid (and `instance show` says the instance is not isolated).
   */
  runAs(id: string): RunAs | undefined {
    if (!this.setprivPath || this.mode !== 'bwrap') return undefined
    const uid = instanceUid(id)
    return {uid, gid: uid, setprivPath: this.setprivPath, ...(this.tools ? {toolGid: toolUid(id)} : {})}
  }

  /**
   * Opens instance `id`'s tool launcher socket (next to its egress socket) when its tools run as
   * a uid of their own; `agentPid` names the agent once bwrap reported it.
   */
  async openTools(id: string, layout: SandboxLayout, agentPid: () => number | undefined): Promise<void> {
    const runAs = this.runAs(id)
    if (!this.tools || !runAs) return
    const target = {agentPid, agentUid: runAs.uid, uid: toolUid(id), gid: toolUid(id), limits: resolveLimits(this.opts.toolLimits)}
    await this.tools.open(id, join(layout.egressDir, TOOLS_SOCKET_NAME), target)
  }

  async closeTools(id?: string): Promise<void> {
    await (id === undefined ? this.tools?.closeAll() : this.tools?.close(id))
  }

  /** What the agent is told about its tools: limits, and the nested sandbox when it has one. */
  private toolsConfig(id: string): Record<string, unknown> {
    const launcher = this.tools && {socket: join(SANDBOX_EGRESS_DIR, TOOLS_SOCKET_NAME), gid: toolUid(id)}
    const sandbox =
      this.mode === 'bwrap' && this.profile?.nested
        ? {bwrapPath: this.profile.bwrapPath, workRoot: SANDBOX_TOOLS_DIR, proxy: true, prlimitPath: this.prlimitPath ?? null, ...(launcher ? {launcher} : {})}
        : undefined
    return {...(this.opts.toolLimits ? {limits: this.opts.toolLimits} : {}), ...(sandbox ? {sandbox} : {})}
  }

  /**
   * Before a launch as the instance's own uid: hands it the instance's files (an instance first run
   * by an older server was root's), and lets it reach its egress socket (the egress directory is
   * bound read-only into its sandbox).
   */
  async prepare(id: string, layout: SandboxLayout): Promise<void> {
    const runAs = this.runAs(id)
    if (!runAs) return
    await chownTree(layout.instanceDir, runAs)
    await chown(layout.egressDir, runAs.uid, runAs.gid)
    await chown(join(layout.egressDir, EGRESS_SOCKET_NAME), runAs.uid, runAs.gid)
  }

  /** The agent's node command line (no secrets: those go through stdin). */
  agentCommand(id: string): string[] {
    return [
      this.opts.nodePath,
      `--max-old-space-size=${this.opts.memoryLimitMb}`,
      // Small young generation: an idle agent should not hold 16 MB semi-spaces.
      '--max-semi-space-size=2',
      // The interpreter only: an agent mostly waits on sockets, and V8's compilers kept ~9 MB of
      // code and touched binary pages per agent (idle RSS 70 MB → 59 MB after tool calls). Regexps
      // are still compiled natively; stream decoding stays ~1,000× faster than a model sends.
      '--no-opt',
      '--no-maglev',
      '--no-sparkplug',
      '--disallow-code-generation-from-strings',
      this.agentEntry,
      id,
    ]
  }

  /**
   * Spawns instance `id`'s agent (after `prepare`) and writes its init message to its stdin.
   * Synchronous, so that the caller watches the child's exit before any of its events can fire.
   */
  spawn(id: string, layout: SandboxLayout, init: StartInit): LaunchedAgent {
    const paths = agentPaths(this.mode, layout)
    // A dropped agent loses bwrap's parent-death signal with its change of uid, so it watches a
    // lifeline too (fd 4, passed through bwrap), like a plain process does on fd 3.
    const lifelineFd = this.mode === 'process' ? 3 : this.runAs(id) ? 4 : null
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
    const spec = this.launchSpec(id, layout, this.agentCommand(id), {infoFd: this.mode === 'bwrap' ? 3 : undefined})
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: lifelineFd === 4 ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe'],
      // Its own session: a Ctrl-C meant for the server's terminal does not hit instances.
      detached: true,
    })
    const agent: LaunchedAgent = {child, agentPid: this.mode === 'process' ? child.pid : undefined}
    const extra = child.stdio[3] as Readable
    if (this.mode === 'bwrap') readInfo(extra, agent)
    else agent.lifeline = extra
    extra.on('error', () => {})
    if (lifelineFd === 4) {
      agent.lifeline = child.stdio[4] as Readable
      agent.lifeline.on('error', () => {})
    }
    child.stdin!.on('error', () => {})
    child.stdin!.end(JSON.stringify(message) + '\n')
    return agent
  }
}

/** bwrap's --info-fd: {"child-pid": N}, the sandbox's pid 1 (our agent) seen from the host. */
function readInfo(input: Readable, agent: LaunchedAgent): void {
  let text = ''
  input.setEncoding('utf8')
  input.on('data', (chunk: string) => {
    text += chunk
    const match = /"child-pid"\s*:\s*(\d+)/.exec(text)
    if (match) agent.agentPid = Number(match[1])
  })
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
