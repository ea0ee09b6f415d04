import {randomBytes} from 'node:crypto'
import {constants} from 'node:fs'
import {lstat, mkdir, open, rename, rm} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import type {Writable} from 'node:stream'
import type {WorkspaceFile, WorkspaceSkip} from '../../contract/workspace.js'
import {workspaceTar, writeWorkspaceTar} from '../../workspace/archive.js'
import {writeWorkspaceDir} from '../../workspace/disk.js'
import {planExport} from '../../workspace/validate.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import {fromDirError, rejectionError} from './api.js'

export type ExportFormat = 'dir' | 'tar'

export interface ExportTarget {
  /** A path, or '-' for stdout (tar only). */
  out: string
  format: ExportFormat
}

/**
 * Where `clawd export` writes: `--out -` is a tar on stdout; otherwise `--format` (default: tar
 * when the path ends in .tar, else a directory), and without `--out` a name after the instance
 * in the current directory.
 */
export function exportTarget(instanceName: string, flags: {out?: string; format?: string}): ExportTarget {
  const format = flags.format as ExportFormat | undefined
  if (flags.out === '-') {
    if (format === 'dir') throw CliError.usage('A directory cannot be written to stdout.', 'Use --format tar with --out -, or give --out DIR.')
    return {out: '-', format: 'tar'}
  }
  const chosen: ExportFormat = format ?? (flags.out?.endsWith('.tar') ? 'tar' : 'dir')
  const out = flags.out ?? (chosen === 'tar' ? `${instanceName}-workspace.tar` : `${instanceName}-workspace`)
  return {out, format: chosen}
}

export interface ExportResult extends ExportTarget {
  files: string[]
  skipped: WorkspaceSkip[]
}

/**
 * The workspace through every export rule (names, paths, UTF-8, size, links) and
 * the secret scan, all problems at once; refused as a whole when any file breaks one.
 */
export function planWorkspaceExport(files: readonly WorkspaceFile[]): {files: WorkspaceFile[]; skipped: WorkspaceSkip[]} {
  const plan = planExport(files)
  if (!plan.ok) {
    throw rejectionError(
      'The export was refused; nothing was written',
      plan.rejected,
      'Fix the files with `clawd config edit FILE` (and revoke any real key that was in one), then export again.',
    )
  }
  return {files: plan.files, skipped: plan.skipped}
}

/** Writes the planned files; atomic for directories and tar files, never over existing data without `force`. */
export async function writeExport(files: readonly WorkspaceFile[], target: ExportTarget, opts: {force: boolean; stdout: Writable}): Promise<void> {
  if (target.out === '-') return writeWorkspaceTar(files, opts.stdout, {end: false})
  if (target.format === 'dir') return writeWorkspaceDir(files, target.out, {force: opts.force}).catch((error: unknown) => Promise.reject(fromDirError(error)))
  await writeFileAtomic(target.out, workspaceTar(files), opts.force)
}

/**
 * A file written beside its target and renamed over it once complete and synced, so a reader never
 * sees half an archive. An existing file is replaced only with `force`; a directory never.
 */
export async function writeFileAtomic(path: string, data: Uint8Array, force: boolean): Promise<void> {
  const target = resolve(path)
  const existing = await lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (existing?.isDirectory()) throw CliError.usage(`${path} is a directory.`, 'Give a file name for the archive, or --format dir.')
  if (existing && !force) {
    throw new CliError({code: 'exists', message: `${path} already exists.`, hint: 'Pass --force to replace it, or choose another --out path.', exitCode: ExitCode.conflict})
  }
  await mkdir(dirname(target), {recursive: true})
  const temp = join(dirname(target), `.${basename(target)}.clawd-tmp-${randomBytes(6).toString('hex')}`)
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, target)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
}
