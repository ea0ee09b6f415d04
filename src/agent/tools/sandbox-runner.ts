import {randomBytes} from 'node:crypto'
import {constants} from 'node:fs'
import {chmod, chown, lstat, mkdir, open, readdir, rm, writeFile} from 'node:fs/promises'
import {dirname, join, relative} from 'node:path'
import {WORKSPACE_LIMITS} from '../../contract/workspace-limits.js'
import type {StoredWorkspaceFile} from '../workspace-store.js'
import type {ExecOutcome, ExecRequest, ExecRunner} from './exec.js'
import type {ToolLimits} from './limits.js'
import {runBounded, toolSandboxArgs, type BoundedRun} from './tool-sandbox.js'

/**
 * exec's nested sandbox (its bwrap arguments and bounds: tool-sandbox.ts).
 *
 * Per call: a directory `<workRoot>/call-<random>` on a size-limited tmpfs (the agent sandbox's
 * /tools, see src/runtime/sandbox.ts) gets `ws/` (the workspace, written from the decrypted store)
 * and `tmp/`; they become the tool's /workspace and /tmp. The command runs; then regular files
 * under ws/ are read back (never following a link: the tool could plant one pointing at the
 * agent's vault), and the directory is removed. Plaintext only ever exists in that tmpfs, i.e. in
 * memory, never on a disk.
 *
 * Who starts the sandbox (a ToolLaunch):
 * - the agent itself (localLaunch): the tool's uid differs from the agent's inside the
 *   namespaces, but the kernel uid is the same, since an unprivileged process can only map its
 *   own uid into a user namespace. What keeps the tool from the agent is that it cannot name it:
 *   another pid namespace, another mount namespace without the agent's files, no capabilities.
 * - the host's tool launcher (host-launch.ts), when the server is root: the tool then also runs
 *   as a host uid of its own, which shares only the call directory with the agent, through a
 *   group the agent belongs to (the directory is setgid, its files group read-write).
 */

export interface ToolLaunch {
  /** Runs the call whose directory `name` (under the work root, with ws/ and tmp/) is ready. */
  run(call: {name: string; workdir: string; command: string; timeoutMs: number; limits: ToolLimits}, signal: AbortSignal): Promise<BoundedRun>
  /** The tool's group, when the tool is another host uid: the call directory is shared with it. */
  readonly sharedGid?: number
}

/** The agent starts bwrap itself, inside its own sandbox. */
export function localLaunch(opts: {bwrapPath: string; workRoot: string; prlimitPath: string | null; proxyUrl?: () => Promise<string | undefined>}): ToolLaunch {
  return {
    async run(call, signal) {
      const proxyUrl = opts.proxyUrl ? await opts.proxyUrl() : undefined
      const args = await toolSandboxArgs({callDir: join(opts.workRoot, call.name), workdir: call.workdir, command: call.command, limits: call.limits, proxyUrl, prlimitPath: opts.prlimitPath})
      return runBounded(opts.bwrapPath, args, {timeoutMs: call.timeoutMs, maxOutputBytes: call.limits.execMaxOutputBytes, signal})
    },
  }
}

/** The most a workspace file can be. */
const MAX_FILE_BYTES = WORKSPACE_LIMITS.maxFileBytes
/** Entries walked when reading back, so a call that made a million files cannot stall the agent. */
const MAX_ENTRIES = 5000

export class SandboxRunner implements ExecRunner {
  constructor(
    private readonly workRoot: string,
    private readonly launch: ToolLaunch,
  ) {}

  async run(request: ExecRequest, signal: AbortSignal): Promise<ExecOutcome> {
    const name = `call-${randomBytes(9).toString('base64url')}`
    const callDir = join(this.workRoot, name)
    const ws = join(callDir, 'ws')
    const empty: ExecOutcome = {exitCode: null, signal: null, timedOut: false, cancelled: false, output: '', outputBytes: 0, files: [], unreadable: []}
    const dirs = new CallDirs(this.launch.sharedGid)
    try {
      await dirs.make(callDir)
      await dirs.make(join(callDir, 'tmp'))
      await dirs.make(ws)
      try {
        await materialise(ws, request.files, dirs)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return {...empty, failure: "the sandbox's disk is full (other exec calls are running); try again"}
        throw error
      }
      if (request.workdir) {
        const st = await lstat(join(ws, request.workdir)).catch(() => undefined)
        if (!st?.isDirectory()) return {...empty, failure: `workdir ${JSON.stringify(request.workdir)} is not a directory of the workspace`}
      }
      const result = await this.launch.run({name, workdir: request.workdir, command: request.command, timeoutMs: request.timeoutMs, limits: request.limits}, signal)
      const back = await readBack(ws)
      return {...result, output: result.output.toString('utf8'), ...back}
    } finally {
      await removeCallDir(callDir)
    }
  }
}

/**
 * Removes a call's directory, even where the tool locked a directory in it (chmod 000): left
 * there, such leftovers would fill /tools call by call. Directories the agent owns are opened up
 * and the removal tried again; a tool of another host uid had its own opened by the launcher.
 */
async function removeCallDir(callDir: string): Promise<void> {
  try {
    return await rm(callDir, {recursive: true, force: true})
  } catch {}
  const unlock = async (dir: string): Promise<void> => {
    await chmod(dir, 0o700).catch(() => {})
    const entries = await readdir(dir, {withFileTypes: true}).catch(() => [])
    for (const entry of entries) if (entry.isDirectory()) await unlock(join(dir, entry.name))
  }
  await unlock(callDir)
  await rm(callDir, {recursive: true, force: true}).catch(() => {})
}

/**
 * Makes the call's directories and files: private to the agent, or (with a shared gid) setgid
 * directories and files that the tool's group may read and write, whatever the umask.
 */
class CallDirs {
  constructor(private readonly gid: number | undefined) {}

  async make(path: string): Promise<void> {
    await mkdir(path, {mode: 0o700})
    if (this.gid === undefined) return
    await chown(path, -1, this.gid)
    await chmod(path, 0o2770)
  }

  async makeParents(root: string, path: string): Promise<void> {
    const parts = relative(root, dirname(path)).split('/').filter(Boolean)
    for (let i = 1; i <= parts.length; i++) {
      const dir = join(root, ...parts.slice(0, i))
      await this.make(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error
      })
    }
  }

  async write(path: string, content: string): Promise<void> {
    await writeFile(path, content, {mode: 0o600})
    if (this.gid !== undefined) await chmod(path, 0o660)
  }
}

async function materialise(root: string, files: readonly StoredWorkspaceFile[], dirs: CallDirs): Promise<void> {
  // OpenClaw's layout always has memory/, where daily notes go (`echo … > memory/2026-12-02.md`).
  await dirs.make(join(root, 'memory'))
  for (const file of files) {
    // The store only holds paths that passed the workspace rules (no "..", no absolute paths).
    const path = join(root, file.path)
    if (!path.startsWith(root + '/')) continue
    await dirs.makeParents(root, path)
    await dirs.write(path, file.content)
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
