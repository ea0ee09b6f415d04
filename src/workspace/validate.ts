import {
  WORKSPACE_LIMITS,
  type PushWorkspaceResponse,
  type WorkspaceFile,
  type WorkspaceRejection,
  type WorkspaceSkip,
} from '../contract/workspace.js'
import {classifyPath, comparePaths, displayPath, type ClassifyOptions} from './files.js'
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

export type ValidateOptions = ClassifyOptions

export function validateWorkspace(files: readonly WorkspaceFile[], opts: ValidateOptions = {}): WorkspaceCheck {
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path))
  const counts = new Map<string, number>()
  for (const f of sorted) counts.set(f.path, (counts.get(f.path) ?? 0) + 1)

  const accepted: WorkspaceFile[] = []
  const skipped: WorkspaceSkip[] = []
  const rejected: WorkspaceRejection[] = []
  const reported = new Set<string>()
  let totalBytes = 0

  for (const file of sorted) {
    const verdict = classifyPath(file.path, opts)
    if (verdict.kind === 'skipped') {
      skipped.push({path: file.path, code: verdict.code, message: verdict.message})
      continue
    }
    if (verdict.kind === 'rejected') {
      rejected.push({path: file.path, code: verdict.code, message: verdict.message})
      continue
    }
    if ((counts.get(file.path) ?? 0) > 1) {
      // Which copy was meant is unknowable; neither is taken.
      if (!reported.has(file.path)) {
        reported.add(file.path)
        rejected.push({path: file.path, code: 'duplicate', message: `${displayPath(file.path)} appears more than once.`})
      }
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

/**
 * Content for the legacy files when the workspace has none, so that `--legacy` always writes
 * both. An older OpenClaw reads HEARTBEAT.md on every heartbeat and skips the model call when
 * the file holds only headings and comments, so this one costs nothing.
 */
export const LEGACY_PLACEHOLDERS: Readonly<Record<'TOOLS.md' | 'HEARTBEAT.md', string>> = {
  'TOOLS.md': '# TOOLS.md\n\nNotes about local tools and conventions. Newer OpenClaw versions keep these in the `## Tools` section of AGENTS.md.\n',
  'HEARTBEAT.md': '# HEARTBEAT.md\n\n<!-- Only headings and comments: OpenClaw skips heartbeat model calls while this file stays like this. -->\n',
}

export type ExportPlan =
  | {ok: true; files: WorkspaceFile[]; skipped: WorkspaceSkip[]}
  | {ok: false; rejected: WorkspaceRejection[]; skipped: WorkspaceSkip[]}

/**
 * What `clawd export` writes for a stored workspace: every rule and the secret scan, all problems
 * at once. With `legacy`, TOOLS.md and HEARTBEAT.md are included, from the workspace when it has
 * them and from a placeholder otherwise.
 */
export function planExport(files: readonly WorkspaceFile[], opts: {legacy?: boolean} = {}): ExportPlan {
  const withLegacy = [...files]
  if (opts.legacy) {
    for (const [path, content] of Object.entries(LEGACY_PLACEHOLDERS)) {
      if (!files.some((f) => f.path === path)) withLegacy.push({path, content})
    }
  }
  const check = validateWorkspace(withLegacy, {legacy: opts.legacy})
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
