import {spawn} from 'node:child_process'
import {lstatSync, readlinkSync} from 'node:fs'
import {constants as osConstants} from 'node:os'
import {join} from 'node:path'
import type {ToolLimits} from './limits.js'

/**
 * The tool sandbox's bubblewrap arguments and the bounded run of one call: shared by the agent,
 * which starts bwrap itself (sandbox-runner.ts), and by the host's tool launcher, which starts it
 * as the instance's tool uid when the server is root (src/runtime/tool-launcher.ts). Both run
 * bwrap in the agent's mount namespace, so one builder gives the same sandbox either way.
 *
 * The tool process gets new user, pid, ipc, uts, mount and cgroup namespaces, uid 2000, no
 * capabilities, no_new_privs, no further user namespaces, NO /proc at all, a read-only /usr and a
 * few /etc files, and an empty environment apart from PATH, HOME, LANG, TMPDIR and the proxy
 * variables. RLIMIT_NPROC, RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE and no core dumps are set by
 * prlimit (or the shell's ulimit) before the command; RLIMIT_NPROC counts per user namespace since
 * Linux 5.14, so a fork bomb exhausts its own sandbox only. The wall-time bound SIGKILLs bwrap:
 * its child dies with it (--die-with-parent) and, being the pid namespace's init, takes every
 * process of the call along.
 *
 * Why no /proc: the kernel lets a new user namespace mount a procfs only when a fully visible one
 * exists in its mount namespace, and a root bwrap (the agent's sandbox when the server is root)
 * covers the agent's /proc/sys and friends with read-only mounts that a nested namespace cannot
 * remove. Rather than behave differently by host, the tool sandbox never has one. Its own pid
 * namespace means nothing outside it (the agent above all) can be named: not through
 * /proc/<pid>/environ or /mem, not by ptrace or kill. Programs that need /proc (ps, bash's <(…))
 * fail inside exec; plain shell, coreutils, curl, python and perl work.
 *
 * Network: with a proxy URL the tool shares the agent's network namespace, which has loopback
 * only and no route out; HTTP(S)_PROXY point at the agent's forwarder to the egress proxy, so
 * programs that honour a proxy reach the hosts the server allows and nothing else. Without one
 * the tool gets its own empty network namespace.
 */

export const TOOL_UID = 2000
export const TOOL_WORKSPACE = '/workspace'
const ETC_FILES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/ssl', '/etc/ca-certificates', '/etc/alternatives']

export interface ToolCall {
  /** The call directory holding ws/ and tmp/, as bwrap sees it. */
  callDir: string
  /** Relative to the workspace root ('' for the root). */
  workdir: string
  command: string
  limits: ToolLimits
  /** HTTP(S)_PROXY for the tool; absent: no network at all. */
  proxyUrl?: string
  /** prlimit's path; null: the shell's ulimit sets the same bounds. */
  prlimitPath: string | null
  /**
   * The tool is another host uid than the agent, sharing the call directory through its group
   * (host launch): files it makes must stay group-readable, so the agent can read them back.
   */
  groupShared?: boolean
}

let runtime: string[] | undefined

/** bwrap's arguments for one call, up to and including the command. */
export async function toolSandboxArgs(call: ToolCall): Promise<string[]> {
  // The read-only runtime, as the agent sees it (the same shape its own sandbox has).
  runtime ??= [...runtimeTopArgs(), ...ETC_FILES.flatMap((etc) => ['--ro-bind-try', etc, etc])]
  return [...runtime, ...callArgs(call)]
}

/** /usr read-only, and the /bin, /lib… links or directories as the host has them: the agent's sandbox and its tools'. */
export function runtimeTopArgs(): string[] {
  const args: string[] = []
  for (const top of ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let stat
    try {
      stat = lstatSync(top)
    } catch {
      continue
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(top), top)
    else if (stat.isDirectory()) args.push('--ro-bind', top, top)
  }
  return args
}

function callArgs(call: ToolCall): string[] {
  const {limits} = call
  const cwd = call.workdir ? `${TOOL_WORKSPACE}/${call.workdir}` : TOOL_WORKSPACE
  const env: Record<string, string> = {PATH: '/usr/local/bin:/usr/bin:/bin', HOME: TOOL_WORKSPACE, LANG: 'C.UTF-8', TMPDIR: '/tmp'}
  if (call.proxyUrl) for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY']) env[name] = call.proxyUrl
  const args = [
    '--bind', join(call.callDir, 'ws'), TOOL_WORKSPACE,
    '--bind', join(call.callDir, 'tmp'), '/tmp',
    '--dev', '/dev',
    '--unshare-user', '--uid', String(TOOL_UID), '--gid', String(TOOL_UID),
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    ...(call.proxyUrl ? [] : ['--unshare-net']),
    '--disable-userns',
    '--cap-drop', 'ALL',
    '--hostname', 'tool',
    '--die-with-parent', '--new-session',
    '--clearenv',
  ]
  for (const [name, value] of Object.entries(env)) args.push('--setenv', name, value)
  args.push('--chdir', cwd, '--')
  // With groupShared, a umask that keeps the tool's files group-writable, and after the command
  // the tree made group-accessible again (a tool that locked a directory would otherwise leave the
  // agent unable to read it back or remove it).
  const run = call.groupShared ? 'umask 007; /bin/sh -c "$1"; s=$?; chmod -R u+rwX,g+rwX /workspace /tmp 2>/dev/null; exit $s' : 'exec /bin/sh -c "$1"'
  const mb = 1024 * 1024
  if (call.prlimitPath) {
    const bounds = [`--nproc=${limits.execMaxProcs}`, `--as=${limits.execMemoryMb * mb}`, `--cpu=${limits.execCpuSeconds}`, `--fsize=${limits.execMaxFileMb * mb}`, '--core=0']
    args.push(call.prlimitPath, ...bounds, '--', ...(call.groupShared ? ['/bin/sh', '-c', run, 'exec', call.command] : ['/bin/sh', '-c', call.command]))
  } else {
    // The same limits with the shell's ulimit (POSIX: -v in KiB, -f in 512-byte blocks).
    const script = `ulimit -u ${limits.execMaxProcs} -v ${limits.execMemoryMb * 1024} -t ${limits.execCpuSeconds} -f ${limits.execMaxFileMb * 2048} -c 0 || exit 126; ${run}`
    args.push('/bin/sh', '-c', script, 'exec', call.command)
  }
  return args
}

export interface BoundedRun {
  exitCode: number | null
  signal: string | null
  timedOut: boolean
  cancelled: boolean
  /** stdout and stderr interleaved as they came, the first `maxOutputBytes`. */
  output: Buffer
  /** Bytes produced in all. */
  outputBytes: number
  /** Set when the program could not be started. */
  failure?: string
}

/**
 * Runs `file args` with an empty environment, collecting at most `maxOutputBytes` of its output,
 * and SIGKILLs it when `timeoutMs` passes or `signal` aborts (see exitStatus for how it died).
 */
export function runBounded(file: string, args: string[], opts: {timeoutMs: number; maxOutputBytes: number; signal: AbortSignal}): Promise<BoundedRun> {
  return new Promise((resolve) => {
    const kept: Buffer[] = []
    let keptBytes = 0
    let total = 0
    let timedOut = false
    let cancelled = false
    const child = spawn(file, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {}, cwd: '/'})
    const collect = (chunk: Buffer) => {
      total += chunk.length
      if (keptBytes < opts.maxOutputBytes) {
        const part = chunk.subarray(0, opts.maxOutputBytes - keptBytes)
        kept.push(part)
        keptBytes += part.length
      }
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const kill = () => {
      try {
        child.kill('SIGKILL')
      } catch {}
    }
    const timer = setTimeout(() => {
      timedOut = true
      kill()
    }, opts.timeoutMs)
    const onAbort = () => {
      cancelled = true
      kill()
    }
    opts.signal.addEventListener('abort', onAbort, {once: true})
    if (opts.signal.aborted) onAbort()
    let spawnError: Error | undefined
    child.once('error', (error) => (spawnError = error))
    child.once('close', (code, sig) => {
      clearTimeout(timer)
      opts.signal.removeEventListener('abort', onAbort)
      const output = Buffer.concat(kept)
      if (spawnError) return resolve({exitCode: null, signal: null, timedOut, cancelled, output: Buffer.alloc(0), outputBytes: 0, failure: `the tool sandbox could not start (${spawnError.message})`})
      const status = exitStatus(code, sig)
      resolve({exitCode: status.exitCode, signal: timedOut || cancelled ? null : status.signal, timedOut, cancelled, output, outputBytes: total})
    })
  })
}

/** A death by signal N that bwrap or a shell reports as exit 128 + N, turned back into the signal's name. */
export function exitStatus(code: number | null, signal: string | null): {exitCode: number | null; signal: string | null} {
  const name = !signal && code !== null && code > 128 && code <= 128 + 64 ? Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0] : undefined
  return name ? {exitCode: null, signal: name} : {exitCode: code, signal}
}
