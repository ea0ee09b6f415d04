import type {PushWorkspaceResponse, WorkspaceFile, WorkspaceRejection, WorkspaceSkip} from '../contract/workspace.js'
import {WORKSPACE_LIMITS} from '../contract/workspace-limits.js'
import {classifyPath, comparePaths, displayPath, recordVerdict} from './files.js'
import {checkText, formatBytes} from './rules.js'
import {checkSecrets} from './secret-scan.js'

/**
 * The whole rule set on a list of `{path, content}` files: what `config push` sends, what the
 * API receives, and what `export` is about to write. One function on both sides of the wire, so
 * the API enforces exactly what the CLI checks.
 */

export interface WorkspaceCheck {
  /** Files that pass every rule, sorted by path. */
  accepted: WorkspaceFile[]
  skipped: WorkspaceSkip[]
  rejected: WorkspaceRejection[]
}

export function validateWorkspace(files: readonly WorkspaceFile[]): WorkspaceCheck {
  // Sorted, so copies of one path stand next to each other.
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path))
  const accepted: WorkspaceFile[] = []
  const skipped: WorkspaceSkip[] = []
  const rejected: WorkspaceRejection[] = []
  let totalBytes = 0

  for (const [i, file] of sorted.entries()) {
    if (recordVerdict(classifyPath(file.path), skipped, rejected)) continue
    const copyBefore = sorted[i - 1]?.path === file.path
    if (copyBefore || sorted[i + 1]?.path === file.path) {
      // Which copy was meant is unknowable; neither is taken, and the path is reported once.
      if (!copyBefore) rejected.push({path: file.path, code: 'duplicate', message: `${displayPath(file.path)} appears more than once.`})
      continue
    }
    const problems = [...checkText(file.path, file.content)]
    if (!problems.some((p) => p.code === 'too-large' || p.code === 'invalid-utf8')) problems.push(...checkSecrets(file.path, file.content))
    if (problems.length > 0) {
      rejected.push(...problems)
      continue
    }
    if (accepted.length >= WORKSPACE_LIMITS.maxFiles) {
      rejected.push({
        path: file.path,
        code: 'too-many-files',
        message: `${displayPath(file.path)}: the workspace has more than ${WORKSPACE_LIMITS.maxFiles} files; move old daily notes out of memory/.`,
      })
      continue
    }
    const bytes = Buffer.byteLength(file.content, 'utf8')
    if (totalBytes + bytes > WORKSPACE_LIMITS.maxTotalBytes) {
      rejected.push({
        path: file.path,
        code: 'workspace-too-large',
        message: `${displayPath(file.path)}: the workspace would exceed ${formatBytes(WORKSPACE_LIMITS.maxTotalBytes)} in total.`,
      })
      continue
    }
    totalBytes += bytes
    accepted.push({path: file.path, content: file.content})
  }
  return {accepted, skipped, rejected}
}

export type ExportPlan =
  | {ok: true; files: WorkspaceFile[]; skipped: WorkspaceSkip[]}
  | {ok: false; rejected: WorkspaceRejection[]; skipped: WorkspaceSkip[]}

/**
 * What `clawd export` writes for a stored workspace: exactly the files it holds (so a push then an
 * export gives the same bytes back), after every rule and the secret scan, all problems at once.
 * Nothing is added: TOOLS.md and HEARTBEAT.md are written when the user has them, never made up.
 */
export function planExport(files: readonly WorkspaceFile[]): ExportPlan {
  const check = validateWorkspace(files)
  if (check.rejected.length > 0) return {ok: false, rejected: check.rejected, skipped: check.skipped}
  return {ok: true, files: check.accepted, skipped: check.skipped}
}

/**
 * The answer to a push, from the check the API ran on it. `applied` lists what the caller stored;
 * pass an empty list when the push was refused as a whole.
 */
export function pushResponse(check: WorkspaceCheck, applied: readonly WorkspaceFile[] = check.accepted): PushWorkspaceResponse {
  return {applied: applied.map((f) => f.path), skipped: check.skipped, rejected: check.rejected}
}
