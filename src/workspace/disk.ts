import {randomBytes} from 'node:crypto'
import {constants, type Dirent} from 'node:fs'
import {lstat, mkdir, open, readdir, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import type {WorkspaceFile, WorkspaceRejection, WorkspaceSkip} from '../contract/workspace.js'
import {WORKSPACE_LIMITS} from '../contract/workspace-limits.js'
import {mergeChecks} from './archive.js'
import {classifyPath, comparePaths, displayPath, MEMORY_DIR, recordVerdict, SKILLS_DIR} from './files.js'
import {checkEntryKind, checkSize, decodeFile, type EntryKind} from './rules.js'
import {validateWorkspace, type WorkspaceCheck} from './validate.js'

/**
 * A workspace on disk: read one for `config push DIR`, write one for `export --out DIR`.
 *
 * Reading never follows a symlink inside the workspace (lstat, and O_NOFOLLOW when opening), so
 * a `SOUL.md -> ~/.ssh/id_ed25519` link is reported, not uploaded. Only `memory/` and `skills/`
 * are entered; other directories (`.git`, `canvas/`) are listed once as skipped.
 *
 * Writing is atomic: files go to a fresh directory beside the target, which is renamed into
 * place only when every file is written and synced. A failure leaves the target as it was and
 * no temporary directory behind.
 */

export class WorkspaceDirError extends Error {
  constructor(
    readonly code: 'not-found' | 'not-a-directory' | 'not-empty' | 'invalid-workspace' | 'write-failed',
    message: string,
    readonly hint?: string,
    options?: {cause?: unknown},
  ) {
    super(message, options)
    this.name = 'WorkspaceDirError'
  }
}

function kindOf(entry: Dirent | Awaited<ReturnType<typeof lstat>>): EntryKind {
  if (entry.isSymbolicLink()) return 'symlink'
  if (entry.isFile()) return 'file'
  if (entry.isDirectory()) return 'directory'
  return 'other'
}

/** How deep memory/ and skills/ are walked: far past any real layout, so only abuse stops here. */
const MAX_DEPTH = 8

interface Candidate {
  path: string
  abs: string
}

export async function readWorkspaceDir(dir: string): Promise<WorkspaceCheck> {
  const root = resolve(dir)
  // The root itself may be a link (a workspace kept in a synced folder); what is inside may not.
  const rootStat = await stat(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new WorkspaceDirError('not-found', `${dir} does not exist.`, 'Pass the path of an OpenClaw workspace, such as ~/.openclaw/workspace.')
    throw err
  })
  if (!rootStat.isDirectory()) throw new WorkspaceDirError('not-a-directory', `${dir} is not a directory.`, 'Pass the path of an OpenClaw workspace, such as ~/.openclaw/workspace.')

  const skipped: WorkspaceSkip[] = []
  const rejected: WorkspaceRejection[] = []
  const candidates: Candidate[] = []

  const visit = (rel: string, abs: string, kind: EntryKind) => {
    if (recordVerdict(classifyPath(rel), skipped, rejected)) return
    const wrongKind = checkEntryKind(rel, kind)
    if (wrongKind) rejected.push(wrongKind)
    else candidates.push({path: rel, abs})
  }

  // memory/ and skills/ are entered (to MAX_DEPTH); any other directory is one skipped entry.
  const walk = async (relDir: string, absDir: string, depth: number) => {
    for (const entry of await readdir(absDir, {withFileTypes: true})) {
      const kind = kindOf(entry)
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name
      const abs = join(absDir, entry.name)
      const entered = relDir ? relDir.split('/')[0] : entry.name
      if (kind === 'directory' && (entered === MEMORY_DIR || entered === SKILLS_DIR)) {
        if (depth >= MAX_DEPTH) rejected.push({path: rel, code: 'not-regular', message: `${displayPath(rel)}: directories nest deeper than ${MAX_DEPTH} levels.`})
        else await walk(rel, abs, depth + 1)
      } else if (!relDir && (entry.name === MEMORY_DIR || entry.name === SKILLS_DIR) && kind === 'symlink') {
        rejected.push(checkEntryKind(entry.name, 'symlink')!)
      } else {
        // Directories land here too: skipped by name, or refused when they stand where a file belongs.
        visit(rel, abs, kind)
      }
    }
  }
  await walk('', root, 0)

  candidates.sort((a, b) => comparePaths(a.path, b.path))
  const decoded: WorkspaceFile[] = []
  let total = 0
  for (const c of candidates) {
    if (decoded.length >= WORKSPACE_LIMITS.maxFiles || total > WORKSPACE_LIMITS.maxTotalBytes) {
      // Not read at all: the validation below rejects the overflow, this only bounds the work.
      rejected.push({path: c.path, code: decoded.length >= WORKSPACE_LIMITS.maxFiles ? 'too-many-files' : 'workspace-too-large', message: `${displayPath(c.path)}: the workspace is over its limits; not read.`})
      continue
    }
    const {text, problems} = await readRegularFile(c)
    if (text === undefined) {
      rejected.push(...problems)
      continue
    }
    total += Buffer.byteLength(text, 'utf8')
    decoded.push({path: c.path, content: text})
  }
  return mergeChecks(validateWorkspace(decoded), skipped, rejected)
}

/**
 * Opens without following links and checks the opened file itself, so a file swapped for a link
 * or a FIFO between the listing and the read is refused rather than followed or waited on.
 */
async function readRegularFile(c: Candidate): Promise<ReturnType<typeof decodeFile>> {
  const refused = (problem: WorkspaceRejection) => ({text: undefined, problems: [problem]})
  let handle
  try {
    handle = await open(c.abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ELOOP' || code === 'EMLINK') return refused(checkEntryKind(c.path, 'symlink')!)
    return refused({path: c.path, code: 'not-regular', message: `${displayPath(c.path)} could not be read (${code ?? 'error'}).`})
  }
  try {
    const st = await handle.stat()
    if (!st.isFile()) return refused(checkEntryKind(c.path, 'other')!)
    const tooLarge = checkSize(c.path, st.size)
    if (tooLarge) return refused(tooLarge)
    // decodeFile checks the size again, on what was read: the file may have grown since.
    return decodeFile(c.path, await handle.readFile())
  } finally {
    await handle.close()
  }
}

/** The file operations `writeWorkspaceDir` uses, passed in so a test can make one fail. */
export interface WriteOps {
  writeFile: (path: string, data: Uint8Array) => Promise<void>
}

const defaultWriteOps: WriteOps = {
  async writeFile(path, data) {
    const handle = await open(path, 'wx', 0o644)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
  },
}

export interface WriteWorkspaceOptions {
  /** Replace a non-empty target directory. */
  force?: boolean
  ops?: WriteOps
}

/**
 * Writes files (from `planExport`) as an OpenClaw workspace at `outDir`. Refuses a non-empty
 * target unless `force`; with `force` the old directory is replaced as a whole, so no file of
 * the previous content survives next to the new one.
 */
export async function writeWorkspaceDir(files: readonly WorkspaceFile[], outDir: string, opts: WriteWorkspaceOptions = {}): Promise<void> {
  const check = validateWorkspace(files)
  const refused = [...check.rejected, ...check.skipped]
  if (refused.length > 0) {
    throw new WorkspaceDirError('invalid-workspace', refused.map((r) => r.message).join('\n'))
  }

  const target = resolve(outDir)
  const parent = dirname(target)
  const name = basename(target)
  const existing = await lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (existing) {
    if (existing.isSymbolicLink() || !existing.isDirectory()) {
      throw new WorkspaceDirError('not-a-directory', `${outDir} exists and is not a directory.`, 'Choose another --out path.')
    }
    if (!opts.force && (await readdir(target)).length > 0) {
      throw new WorkspaceDirError('not-empty', `${outDir} is not empty.`, 'Pass --force to replace it, or choose another --out path.')
    }
  }

  await mkdir(parent, {recursive: true})
  const suffix = randomBytes(6).toString('hex')
  const temp = join(parent, `.${name}.clawd-tmp-${suffix}`)
  const ops = opts.ops ?? defaultWriteOps
  try {
    await mkdir(temp, {mode: 0o755})
    for (const f of check.accepted) {
      const dest = join(temp, ...f.path.split('/'))
      await mkdir(dirname(dest), {recursive: true, mode: 0o755})
      await ops.writeFile(dest, Buffer.from(f.content, 'utf8'))
    }
    await syncDir(temp)
    await swapIntoPlace(temp, target, Boolean(existing), suffix, outDir)
    await syncDir(parent)
  } catch (err) {
    await rm(temp, {recursive: true, force: true})
    if (err instanceof WorkspaceDirError) throw err
    throw new WorkspaceDirError('write-failed', `Could not write the workspace to ${outDir}: ${(err as Error).message}`, undefined, {cause: err})
  }
}

async function swapIntoPlace(temp: string, target: string, existed: boolean, suffix: string, shown: string): Promise<void> {
  if (!existed) {
    try {
      await rename(temp, target)
      return
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err
      throw new WorkspaceDirError('not-empty', `${shown} appeared while the export was being written.`, 'Pass --force to replace it, or choose another --out path.')
    }
  }
  // rename(2) replaces an empty directory but not a full one: move the old one aside first, and
  // put it back if the new one cannot take its place.
  const old = join(dirname(target), `.${basename(target)}.clawd-old-${suffix}`)
  await rename(target, old)
  try {
    await rename(temp, target)
  } catch (err) {
    await rename(old, target)
    throw err
  }
  await rm(old, {recursive: true, force: true})
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY)
  try {
    await handle.sync()
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle.close()
  }
}
