import type {Writable} from 'node:stream'
import type {WorkspaceFile, WorkspaceRejection, WorkspaceSkip} from '../contract/workspace.js'
import {classifyPath, comparePaths, recordVerdict} from './files.js'
import {checkEntryKind, decodeFile} from './rules.js'
import {iterateTar, tarBuffer, writeTar, type TarFile, type TarReadLimits} from './tar.js'
import {validateWorkspace, type WorkspaceCheck} from './validate.js'

/** A workspace as a tar archive (`export --format tar`) and back (`config push --format tar`). */

function toTarFiles(files: readonly WorkspaceFile[]): TarFile[] {
  return files.map((f) => ({path: f.path, data: Buffer.from(f.content, 'utf8')}))
}

/** Call with files from `planExport`: the archive writer checks paths, not the export rules. */
export function workspaceTar(files: readonly WorkspaceFile[]): Buffer {
  return tarBuffer(toTarFiles(files))
}

export function writeWorkspaceTar(files: readonly WorkspaceFile[], out: Writable, opts: {end?: boolean} = {}): Promise<void> {
  return writeTar(toTarFiles(files), out, opts)
}

/**
 * An archive's entries through the same rules as a directory: links, devices and unsafe paths
 * become rejections with reasons (never extracted), unknown names are skipped, and the rest is
 * decoded and validated. Throws TarError only when the archive itself is corrupt.
 */
export function readWorkspaceTar(bytes: Uint8Array, opts: TarReadLimits = {}): WorkspaceCheck {
  const skipped: WorkspaceSkip[] = []
  const rejected: WorkspaceRejection[] = []
  const decoded: WorkspaceFile[] = []
  for (const entry of iterateTar(bytes, opts)) {
    const verdict = classifyPath(entry.path)
    if (entry.type === 'directory') {
      // Directories are implied by the files in them; only one standing where a root file belongs
      // matters (under skills/ any name may be a directory).
      if (verdict.kind === 'accepted' && !entry.path.includes('/')) rejected.push(checkEntryKind(entry.path, 'directory')!)
      else if (verdict.kind === 'rejected' && verdict.code !== 'case-variant') rejected.push({path: entry.path, code: verdict.code, message: verdict.message})
      continue
    }
    // A link or device is refused whatever its name: a push that carries one is not a plain
    // workspace, and skipping it would let `memory -> ../..` ride along unnoticed.
    const kind = entry.type === 'file' ? 'file' : entry.type === 'symlink' ? 'symlink' : entry.type === 'hardlink' ? 'hardlink' : 'other'
    const wrongKind = checkEntryKind(entry.path, kind)
    if (wrongKind) {
      rejected.push(wrongKind)
      continue
    }
    if (recordVerdict(verdict, skipped, rejected)) continue
    const {text, problems} = decodeFile(entry.path, entry.data)
    if (text === undefined) rejected.push(...problems)
    else decoded.push({path: entry.path, content: text})
  }
  const check = validateWorkspace(decoded)
  return mergeChecks(check, skipped, rejected)
}

export function mergeChecks(check: WorkspaceCheck, skipped: WorkspaceSkip[], rejected: WorkspaceRejection[]): WorkspaceCheck {
  const byPath = (a: {path: string}, b: {path: string}) => comparePaths(a.path, b.path)
  return {
    accepted: check.accepted,
    skipped: [...check.skipped, ...skipped].sort(byPath),
    rejected: [...check.rejected, ...rejected].sort(byPath),
  }
}
