import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {constants} from 'node:fs'
import {lstat, mkdir, open, readdir, readlink, rm, writeFile} from 'node:fs/promises'
import {constants as osConstants} from 'node:os'
import {dirname, join} from 'node:path'
import {WORKSPACE_LIMITS} from '../../contract/workspace-limits.js'
import type {StoredWorkspaceFile} from '../workspace-store.js'
import type {ExecOutcome, ExecRequest, ExecRunner} from './exec.js'

/**
 * exec's nested sandbox: bubblewrap started by the agent itself, inside the agent's own sandbox.
 *
 * Per call: a directory `<workRoot>/call-<random>` on a size-limited tmpfs (the agent sandbox's
 * /tools, see src/runtime/sandbox.ts) gets `ws/` (the workspace, written from the decrypted store)
 * and `tmp/`; they become the tool's /workspace and /tmp. The command runs; then regular files
 * under ws/ are read back (never following a link: the tool could plant one pointing at the
 * agent's vault), and the directory is removed. Plaintext only ever exists in that tmpfs, i.e. in
 * memory, never on a disk.
 *
 * The tool process gets new user, pid, ipc, uts, mount and cgroup namespaces, uid 2000 (the agent
 * is 1000 or, when the server is root, an unprivileged host uid), no capabilities, no_new_privs,
 * no further user namespaces, NO /proc at all, a read-only /usr and a few /etc files, and an empty
 * environment apart from PATH, HOME, LANG, TMPDIR and the proxy variables. RLIMIT_NPROC,
 * RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE and no core dumps are set by prlimit (or the shell's ulimit)
 * before the command; RLIMIT_NPROC counts per user namespace since Linux 5.14, so a fork bomb
 * exhausts its own sandbox only. The wall-time bound SIGKILLs bwrap: its child dies with it
 * (--die-with-parent) and, being the pid namespace's init, takes every process of the call along.
 *
 * Why no /proc: the kernel lets a new user namespace mount a procfs only when a fully visible one
 * exists in its mount namespace ("Can't mount proc on /newroot/proc: Operation not permitted"
 * otherwise), and bwrap, whenever it runs as root, covers the agent's /proc/sys and friends with
 * read-only mounts that the nested namespace cannot remove. A server that runs as root must use a
 * root bwrap (only root can read the paths it binds and switch the agent to another uid), so a
 * nested /proc is impossible there; rather than behave differently by host, the tool sandbox never
 * has one. It has its own pid namespace all the same, so nothing outside it (the agent above all)
 * can be named: not through /proc/<pid>/environ or /mem, not by ptrace or kill. Programs that need
 * /proc (ps, bash's <(…)) fail inside exec; plain shell, coreutils, curl, python and perl work.
 *
 * Network: with `proxy`, the tool shares the agent's network namespace, which has loopback only
 * and no route out; the agent listens there on one 127.0.0.1 port that pipes to the egress proxy
 * (proxy-forwarder.ts), and HTTP(S)_PROXY point at it, so programs that honour a proxy reach the
 * hosts the server allows and nothing else, each connection logged. Without `proxy` (an agent
 * that is a plain process shares the host's network) the tool gets its own empty network
 * namespace: no network at all.
 *
 * The uid: the tool's uid differs from the agent's inside the namespaces, but the kernel uid is
 * the same (an unprivileged process can only map its own uid into a user namespace). What keeps
 * the tool from the agent is that it cannot name it: another pid namespace, another mount
 * namespace without the agent's files, no capabilities in the agent's user namespace.
 */

export interface SandboxRunnerOptions {
  bwrapPath: string
  /** A tmpfs directory where call directories are made (its size is the exec disk bound). */
  workRoot: string
  /** Share the agent's network and pass this proxy URL (from the forwarder); else no network. */
  proxyUrl?: () => Promise<string | undefined>
  prlimitPath: string | null
}

export const TOOL_UID = 2000
const WORKSPACE = '/workspace'
/** The most a workspace file can be. */
const MAX_FILE_BYTES = WORKSPACE_LIMITS.maxFileBytes
/** Entries walked when reading back, so a call that made a million files cannot stall the agent. */
const MAX_ENTRIES = 5000
const ETC_FILES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/ssl', '/etc/ca-certificates', '/etc/alternatives']

export class SandboxRunner implements ExecRunner {
  private runtime?: Promise<string[]>

  constructor(private readonly opts: SandboxRunnerOptions) {}

  async run(request: ExecRequest, signal: AbortSignal): Promise<ExecOutcome> {
    const callDir = join(this.opts.workRoot, `call-${randomBytes(9).toString('base64url')}`)
    const ws = join(callDir, 'ws')
    const empty: ExecOutcome = {exitCode: null, signal: null, timedOut: false, cancelled: false, output: '', outputBytes: 0, files: [], unreadable: []}
    try {
      await mkdir(join(callDir, 'tmp'), {recursive: true, mode: 0o700})
      await mkdir(ws, {mode: 0o700})
      try {
        await materialise(ws, request.files)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return {...empty, failure: "the sandbox's disk is full (other exec calls are running); try again"}
        throw error
      }
      const workdir = request.workdir ? join(ws, request.workdir) : ws
      if (request.workdir) {
        const st = await lstat(workdir).catch(() => undefined)
        if (!st?.isDirectory()) return {...empty, failure: `workdir ${JSON.stringify(request.workdir)} is not a directory of the workspace`}
      }
      const proxy = this.opts.proxyUrl ? await this.opts.proxyUrl() : undefined
      const args = [...(await this.runtimeArgs()), ...this.callArgs(callDir, request, proxy)]
      const result = await this.spawn(args, request, signal)
      const back = await readBack(ws)
      return {...result, ...back}
    } finally {
      await rm(callDir, {recursive: true, force: true}).catch(() => {})
    }
  }

  /** The read-only runtime, as the agent sees it (the same shape its own sandbox has). */
  private runtimeArgs(): Promise<string[]> {
    this.runtime ??= (async () => {
      const args: string[] = []
      for (const top of ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
        const st = await lstat(top).catch(() => undefined)
        if (st?.isSymbolicLink()) args.push('--symlink', await readlink(top), top)
        else if (st?.isDirectory()) args.push('--ro-bind', top, top)
      }
      for (const etc of ETC_FILES) args.push('--ro-bind-try', etc, etc)
      return args
    })()
    return this.runtime
  }

  private callArgs(callDir: string, request: ExecRequest, proxy: string | undefined): string[] {
    const {limits} = request
    const cwd = request.workdir ? `${WORKSPACE}/${request.workdir}` : WORKSPACE
    const env: Record<string, string> = {PATH: '/usr/local/bin:/usr/bin:/bin', HOME: WORKSPACE, LANG: 'C.UTF-8', TMPDIR: '/tmp'}
    if (proxy) for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY']) env[name] = proxy
    const args = [
      '--bind', join(callDir, 'ws'), WORKSPACE,
      '--bind', join(callDir, 'tmp'), '/tmp',
      '--dev', '/dev',
      '--unshare-user', '--uid', String(TOOL_UID), '--gid', String(TOOL_UID),
      '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
      ...(proxy ? [] : ['--unshare-net']),
      '--disable-userns',
      '--cap-drop', 'ALL',
      '--hostname', 'tool',
      '--die-with-parent', '--new-session',
      '--clearenv',
    ]
    for (const [name, value] of Object.entries(env)) args.push('--setenv', name, value)
    args.push('--chdir', cwd, '--')
    const mb = 1024 * 1024
    if (this.opts.prlimitPath) {
      args.push(
        this.opts.prlimitPath,
        `--nproc=${limits.execMaxProcs}`,
        `--as=${limits.execMemoryMb * mb}`,
        `--cpu=${limits.execCpuSeconds}`,
        `--fsize=${limits.execMaxFileMb * mb}`,
        '--core=0',
        '--',
        '/bin/sh', '-c', request.command,
      )
    } else {
      // The same limits with the shell's ulimit (POSIX: -v in KiB, -f in 512-byte blocks).
      const script = `ulimit -u ${limits.execMaxProcs} -v ${limits.execMemoryMb * 1024} -t ${limits.execCpuSeconds} -f ${limits.execMaxFileMb * 2048} -c 0 || exit 126; exec /bin/sh -c "$1"`
      args.push('/bin/sh', '-c', script, 'exec', request.command)
    }
    return args
  }

  private spawn(args: string[], request: ExecRequest, signal: AbortSignal): Promise<Pick<ExecOutcome, 'exitCode' | 'signal' | 'timedOut' | 'cancelled' | 'output' | 'outputBytes' | 'failure'>> {
    return new Promise((resolve) => {
      const max = request.limits.execMaxOutputBytes
      const kept: Buffer[] = []
      let keptBytes = 0
      let total = 0
      let timedOut = false
      let cancelled = false
      const child = spawn(this.opts.bwrapPath, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {}, cwd: '/'})
      const collect = (chunk: Buffer) => {
        total += chunk.length
        if (keptBytes < max) {
          const part = chunk.subarray(0, max - keptBytes)
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
      }, request.timeoutMs)
      const onAbort = () => {
        cancelled = true
        kill()
      }
      signal.addEventListener('abort', onAbort, {once: true})
      if (signal.aborted) onAbort()
      let spawnError: Error | undefined
      child.once('error', (error) => (spawnError = error))
      child.once('close', (code, sig) => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        const output = Buffer.concat(kept).toString('utf8')
        if (spawnError) return resolve({exitCode: null, signal: null, timedOut, cancelled, output: '', outputBytes: 0, failure: `the tool sandbox could not start (${spawnError.message})`})
        // bwrap reports its child's death by signal N as 128 + N, as a shell does.
        let signalName: string | null = sig
        let exitCode = code
        if (!sig && code !== null && code > 128 && code <= 128 + 64) {
          const name = Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0]
          if (name) {
            signalName = name
            exitCode = null
          }
        }
        resolve({exitCode, signal: timedOut || cancelled ? null : signalName, timedOut, cancelled, output, outputBytes: total})
      })
    })
  }
}

async function materialise(root: string, files: readonly StoredWorkspaceFile[]): Promise<void> {
  // OpenClaw's layout always has memory/, where daily notes go (`echo … > memory/2026-12-02.md`).
  await mkdir(join(root, 'memory'), {mode: 0o700})
  for (const file of files) {
    // The store only holds paths that passed the workspace rules (no "..", no absolute paths).
    const path = join(root, file.path)
    if (!path.startsWith(root + '/')) continue
    await mkdir(dirname(path), {recursive: true, mode: 0o700})
    await writeFile(path, file.content, {mode: 0o600})
  }
}

/** Regular UTF-8 files under `root`, read without following links; anything else is reported. */
async function readBack(root: string): Promise<Pick<ExecOutcome, 'files' | 'unreadable'>> {
  const files: StoredWorkspaceFile[] = []
  const unreadable: Array<{path: string; why: string}> = []
  let entries = 0
  const decoder = new TextDecoder('utf-8', {fatal: true})
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let list
    try {
      list = await readdir(dir, {withFileTypes: true})
    } catch {
      return
    }
    for (const entry of list) {
      if (++entries > MAX_ENTRIES) {
        if (entries === MAX_ENTRIES + 1) unreadable.push({path: prefix || '.', why: `more than ${MAX_ENTRIES} entries; the rest was not looked at`})
        return
      }
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name
      const full = join(dir, entry.name)
      if (entry.isDirectory()) await walk(full, rel)
      else if (entry.isSymbolicLink()) unreadable.push({path: rel, why: 'a symbolic link'})
      else if (!entry.isFile()) unreadable.push({path: rel, why: 'not a regular file'})
      else {
        const file = await readRegular(full, decoder)
        if (typeof file === 'string') files.push({path: rel, content: file})
        else unreadable.push({path: rel, why: file.why})
      }
    }
  }
  await walk(root, '')
  return {files, unreadable}
}

async function readRegular(path: string, decoder: InstanceType<typeof TextDecoder>): Promise<string | {why: string}> {
  let handle
  try {
    // O_NOFOLLOW and a check on the open file: what is read is the regular file that was listed.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    const st = await handle.stat()
    if (!st.isFile()) return {why: 'not a regular file'}
    if (st.size > MAX_FILE_BYTES) return {why: `larger than ${MAX_FILE_BYTES / (1024 * 1024)} MiB`}
    const bytes = Buffer.alloc(st.size)
    const {bytesRead} = await handle.read(bytes, 0, st.size, 0)
    try {
      return decoder.decode(bytes.subarray(0, bytesRead))
    } catch {
      return {why: 'not UTF-8 text'}
    }
  } catch {
    return {why: 'could not be read'}
  } finally {
    await handle?.close()
  }
}
