import {spawn} from 'node:child_process'
import {chownSync, existsSync, mkdtempSync, realpathSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {runtimeTopArgs} from '../agent/tools/tool-sandbox.js'

/**
 * How an instance process is launched: the exact argv, cwd and environment. One builder serves
 * the agent and any probe command, so tests prove isolation with the arguments the agent gets.
 *
 * Under bubblewrap the agent sees a read-only runtime (/usr and the /lib, /bin links, a few /etc
 * files the dynamic linker and TLS need, the node binary's directory, the package's dist/ and
 * node_modules), its own directory read-write at /instance, the egress proxy's directory at
 * /run/clawd, a fresh /proc and minimal /dev, and a private tmpfs /tmp. It gets new mount, pid,
 * network (loopback only), ipc, uts, cgroup and, where the host allows, user namespaces; no
 * capabilities; an empty environment; and dies with the server.
 */
export const SANDBOX_INSTANCE_DIR = '/instance'
export const SANDBOX_EGRESS_DIR = '/run/clawd'
/** The agent's size-limited tmpfs for exec calls' workspace copies (src/agent/tools/sandbox-runner.ts). */
export const SANDBOX_TOOLS_DIR = '/tools'
export const EGRESS_SOCKET_NAME = 'egress.sock'
export const AGENT_SOCKET_NAME = 'agent.sock'
/** The host's tool launcher for this instance (src/runtime/tool-launcher.ts), next to the egress socket. */
export const TOOLS_SOCKET_NAME = 'tools.sock'
/** The unprivileged uid/gid the agent runs as inside its user namespace. */
export const SANDBOX_UID = 1000

/**
 * RLIMIT_DATA headroom over the heap limit. V8 reserves its code range and heap regions as
 * private writable mappings, which RLIMIT_DATA counts although few pages are ever touched: node 24
 * refuses to start below ~570 MB here. RLIMIT_AS is unusable (V8 reserves far more address space
 * than that), and cgroups need delegation the server cannot count on. So the heap is bounded
 * exactly by --max-old-space-size, and RLIMIT_DATA = limit + this headroom is the OS backstop for
 * memory outside the heap (Buffers, native allocations): a runaway process dies instead of eating
 * the host.
 */
export const V8_DATA_HEADROOM_MB = 768

export type SandboxMode = 'bwrap' | 'process'

/** What the bwrap probe found this host allows. */
export interface BwrapProfile {
  bwrapPath: string
  /** A user namespace with an unprivileged uid inside (false where unprivileged userns is off). */
  userns: boolean
  /** Drop every capability (only meaningful, and only accepted, when the server runs as root). */
  dropCaps: boolean
  /**
   * The agent may start a nested bwrap for its tools (exec): no --disable-userns, a /tools tmpfs,
   * and a nested sandbox like exec's was seen to work.
   */
  nested: boolean
}

/**
 * The host uid/gid the agent runs as when the server is root, and setpriv, which switches to it.
 *
 * A root bwrap with --unshare-user maps the agent onto host uid 0 (an escape would be host root),
 * and an unprivileged bwrap run as that uid cannot bind what it may not read by name (a data dir
 * under /root, node under /root/.cache). So bwrap stays root for its set-up, without a user
 * namespace, keeps only CAP_SETUID, CAP_SETGID and CAP_SETPCAP for the sandbox, and the
 * sandbox's first program is setpriv, which clears the bounding and inheritable sets, switches
 * to this uid/gid with no supplementary groups, sets the parent-death signal again (a change of
 * credentials clears the one --die-with-parent set) and execs the agent: host uid `uid`, no
 * capabilities, no_new_privs (set by bwrap), in its own mount, pid, network, ipc and uts
 * namespaces. Its directory is chowned to the uid.
 */
export interface RunAs {
  uid: number
  gid: number
  setprivPath: string
  /**
   * The group of the instance's tool uid (src/runtime/tool-launcher.ts): the agent's one
   * supplementary group, so it can share each exec call's directory with the tool and nothing else.
   */
  toolGid?: number
}

export interface SandboxLayout {
  /** The instance's directory on the host. */
  instanceDir: string
  /** The host directory holding the egress proxy's socket for this instance. */
  egressDir: string
  /** The node binary (realpath). */
  nodePath: string
  /** The package root: its package.json, dist/ and node_modules are mounted read-only. */
  packageRoot: string
}

export interface LaunchSpec {
  file: string
  args: string[]
  cwd: string
  env: Record<string, string>
}

export interface LaunchOptions {
  mode: SandboxMode
  profile?: BwrapProfile
  layout: SandboxLayout
  /** The command as seen inside the sandbox (argv[0] is the node path, which is the same inside). */
  command: string[]
  /** RLIMIT_DATA is set to (memoryLimitMb + V8_DATA_HEADROOM_MB) when prlimit exists. */
  memoryLimitMb?: number
  prlimitPath?: string
  /** bwrap writes {"child-pid": …} here, the agent's host pid. */
  infoFd?: number
  /** The server is root: run the agent as this host uid instead (bwrap mode only). */
  runAs?: RunAs
  /** Size of the agent's /tools tmpfs (the exec disk bound), when the profile allows tools. */
  toolsDiskMb?: number
}

/** Paths as the agent sees them, which differ between the sandbox and a plain process. */
export function agentPaths(mode: SandboxMode, layout: SandboxLayout): {dir: string; socket: string; egressSocket: string} {
  const dir = mode === 'bwrap' ? SANDBOX_INSTANCE_DIR : layout.instanceDir
  const egress = mode === 'bwrap' ? SANDBOX_EGRESS_DIR : layout.egressDir
  return {dir, socket: join(dir, AGENT_SOCKET_NAME), egressSocket: join(egress, EGRESS_SOCKET_NAME)}
}

export function buildLaunch(opts: LaunchOptions): LaunchSpec {
  const env = {PATH: '/usr/bin:/bin', HOME: opts.mode === 'bwrap' ? SANDBOX_INSTANCE_DIR : opts.layout.instanceDir, LANG: 'C.UTF-8'}
  let file: string
  let args: string[]
  if (opts.mode === 'bwrap') {
    if (!opts.profile) throw new Error('bwrap launch needs the probed profile')
    file = opts.profile.bwrapPath
    const command = opts.runAs
      ? [opts.runAs.setprivPath, `--reuid=${opts.runAs.uid}`, `--regid=${opts.runAs.gid}`, opts.runAs.toolGid ? `--groups=${opts.runAs.toolGid}` : '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--pdeathsig=SIGKILL', '--', ...opts.command]
      : opts.command
    args = [...bwrapArgs(opts.profile, opts.layout, env, opts.infoFd, opts.runAs, opts.toolsDiskMb), '--', ...command]
  } else {
    ;[file, ...args] = opts.command as [string, ...string[]]
  }
  if (opts.memoryLimitMb && opts.prlimitPath) {
    const bytes = (opts.memoryLimitMb + V8_DATA_HEADROOM_MB) * 1024 * 1024
    args = [`--data=${bytes}:${bytes}`, '--', file, ...args]
    file = opts.prlimitPath
  }
  // Nothing of the server's environment (CLAWD_MASTER_KEY above all) reaches bwrap or the agent.
  return {file, args, cwd: opts.mode === 'bwrap' ? '/' : opts.layout.instanceDir, env}
}

function bwrapArgs(profile: BwrapProfile, layout: SandboxLayout, env: Record<string, string>, infoFd?: number, runAs?: RunAs, toolsDiskMb?: number): string[] {
  // A tmpfs /tmp first, so a runtime path that happens to live under /tmp is mounted over it.
  // Mounted by a root bwrap they belong to root: 1777, so the agent's uid can use them.
  const shared = runAs ? ['--perms', '1777'] : []
  const args: string[] = [...shared, '--tmpfs', '/tmp']
  if (profile.nested && toolsDiskMb) args.push(...shared, '--size', String(toolsDiskMb * 1024 * 1024), '--tmpfs', SANDBOX_TOOLS_DIR)
  args.push(...runtimeTopArgs())
  const nodeDir = dirname(layout.nodePath)
  const hostPaths = [...(nodeDir.startsWith('/usr/') ? [] : [nodeDir]), ...packagePaths(layout.packageRoot)]
  if (runAs) {
    // A root bwrap makes mount points with the server's umask (often 077): the agent's uid could
    // not walk to /etc/ssl, node, the package or /run/clawd. Make their parents 0755 first.
    const made = new Set<string>()
    for (const path of [...ETC_FILES, ...hostPaths, SANDBOX_INSTANCE_DIR, SANDBOX_EGRESS_DIR]) {
      const parents: string[] = []
      for (let dir = dirname(path); dir !== '/' && !made.has(dir); dir = dirname(dir)) parents.unshift(dir)
      for (const dir of parents) {
        made.add(dir)
        args.push('--perms', '0755', '--dir', dir)
      }
    }
  }
  for (const etc of ETC_FILES) args.push('--ro-bind-try', etc, etc)
  for (const path of hostPaths) args.push('--ro-bind', path, path)
  args.push('--bind', layout.instanceDir, SANDBOX_INSTANCE_DIR)
  args.push('--ro-bind', layout.egressDir, SANDBOX_EGRESS_DIR)
  args.push('--proc', '/proc', '--dev', '/dev')
  args.push('--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try')
  if (runAs) {
    // No user namespace: setpriv makes the agent the unprivileged host uid (see RunAs).
    args.push('--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP')
  } else {
    if (profile.userns) {
      args.push('--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID))
      // exec's sandbox nests a user namespace; without tools, none may be made inside.
      if (!profile.nested) args.push('--disable-userns')
    }
    if (profile.dropCaps) args.push('--cap-drop', 'ALL')
  }
  args.push('--hostname', 'clawd', '--die-with-parent', '--new-session', '--as-pid-1')
  args.push('--clearenv')
  for (const [name, value] of Object.entries(env)) args.push('--setenv', name, value)
  // Under runAs, bwrap (root without CAP_DAC_OVERRIDE by then) may not enter the uid's 0700 directory.
  args.push('--chdir', runAs ? '/' : SANDBOX_INSTANCE_DIR)
  if (infoFd !== undefined) args.push('--info-fd', String(infoFd))
  return args
}

/** What the dynamic linker, time zones and TLS trust need; nothing that names users or hosts. */
const ETC_FILES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/ssl', '/etc/ca-certificates']

/** The package's runtime files, at their own paths so ESM resolution works unchanged. */
function packagePaths(root: string): string[] {
  const paths = [join(root, 'package.json'), join(root, 'dist')]
  // node_modules of the package and of every ancestor (npm hoists dependencies upwards).
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) paths.push(join(dir, 'node_modules'))
    if (dirname(dir) === dir) break
  }
  return paths.filter((p) => existsSync(p))
}

/** Looks for an executable on the usual system paths (the server's PATH is not trusted). */
export function findExecutable(name: string, dirs = ['/usr/bin', '/bin', '/usr/local/bin', '/usr/sbin', '/sbin']): string | undefined {
  for (const dir of dirs) {
    const path = join(dir, name)
    if (existsSync(path)) return path
  }
  return undefined
}

/** Only a bwrap that hangs is given up on: a loaded machine may take seconds to start node in it. */
const PROBE_TIMEOUT_MS = 90_000

/**
 * Tries bwrap once with the real arguments and the real node binary: first with a user
 * namespace, then without (hosts where unprivileged user namespaces are off but bwrap is setuid).
 * With `runAs` (the server is root) the launch is the root one (see RunAs). It then tries a
 * sandbox like exec's inside the agent's; when that works the profile allows tools. `reason` says
 * why bwrap cannot be used, when it cannot.
 */
export async function probeBwrap(opts: {nodePath: string; packageRoot: string; bwrapPath?: string; runAs?: RunAs}): Promise<{ok: boolean; profile?: BwrapProfile; reason?: string}> {
  const bwrapPath = opts.bwrapPath ?? findExecutable('bwrap')
  if (!bwrapPath) return {ok: false, reason: 'bwrap is not installed'}
  const scratch = mkdtempSync(join(tmpdir(), 'clawd-probe-'))
  try {
    if (opts.runAs) chownSync(scratch, opts.runAs.uid, opts.runAs.gid)
    const layout: SandboxLayout = {instanceDir: scratch, egressDir: scratch, nodePath: realpathSync(opts.nodePath), packageRoot: opts.packageRoot}
    const isRoot = process.getuid?.() === 0
    let lastError = ''
    for (const userns of opts.runAs ? [false] : [true, false]) {
      const profile: BwrapProfile = {bwrapPath, userns, dropCaps: isRoot, nested: false}
      const spec = buildLaunch({mode: 'bwrap', profile, layout, command: [layout.nodePath, '-e', 'process.exit(0)'], runAs: opts.runAs})
      const result = await run(spec, PROBE_TIMEOUT_MS)
      if (result.code !== 0) {
        lastError = result.stderr.trim().split('\n').slice(-1)[0] || `exit ${result.code}`
        continue
      }
      if (userns || opts.runAs) {
        const nested: BwrapProfile = {...profile, nested: true}
        const inner = buildLaunch({mode: 'bwrap', profile: nested, layout, command: nestedProbe(bwrapPath), runAs: opts.runAs, toolsDiskMb: 1})
        if ((await run(inner, PROBE_TIMEOUT_MS)).code === 0) return {ok: true, profile: nested}
      }
      return {ok: true, profile}
    }
    return {ok: false, reason: `bwrap does not work here: ${lastError}`}
  } finally {
    rmSync(scratch, {recursive: true, force: true})
  }
}

/** A sandbox in the sandbox, as exec makes one: own user and pid namespaces, another uid, a writable /tools. */
function nestedProbe(bwrapPath: string): string[] {
  return [
    bwrapPath,
    ...runtimeTopArgs(),
    '--dev', '/dev',
    '--bind', SANDBOX_TOOLS_DIR, '/workspace',
    '--unshare-user', '--uid', '2000', '--gid', '2000', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--disable-userns', '--die-with-parent',
    '--', '/bin/sh', '-c', 'echo ok > /workspace/probe && test "$(id -u)" = 2000',
  ]
}

/** Runs a launch spec to completion (probes and tests). */
export function run(spec: LaunchSpec, timeoutMs: number): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(spec.file, spec.args, {cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({code: -1, stdout, stderr: stderr + error.message})
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}
