/**
 * The workspace's limits and codes, and the push body's shape check, without zod: the agent checks
 * a push at its own boundary and must not load zod (see src/contract/core.ts). The schemas of
 * src/contract/workspace.ts build on it.
 */

export const WORKSPACE_LIMITS = {
  /** Per file, in UTF-8 bytes. OpenClaw itself refuses bootstrap files above 2 MiB. */
  maxFileBytes: 2 * 1024 * 1024,
  /** A year of daily notes, plus the core files and room to spare. */
  maxFiles: 1000,
  /** All files together, in UTF-8 bytes. */
  maxTotalBytes: 20 * 1024 * 1024,
  /** A relative path, in UTF-8 bytes; far above any allowed name, so it only stops abuse. */
  maxPathBytes: 255,
} as const

/**
 * A body limit for push requests: the files plus JSON escaping of ordinary text (quotes, newlines,
 * tabs). Content that escapes worse than that (many control characters) is not a workspace.
 */
export const WORKSPACE_PUSH_MAX_BODY_BYTES = 2 * WORKSPACE_LIMITS.maxTotalBytes

/** Why a file was refused. Stable: the CLI and scripts match on these. */
export const WORKSPACE_REJECT_CODES = [
  // the path
  'empty-path',
  'nul-in-path',
  'control-char',
  'backslash',
  'absolute-path',
  'traversal',
  'empty-segment',
  'path-too-long',
  'case-variant',
  'bootstrap',
  'invalid-date',
  'duplicate',
  // the entry
  'symlink',
  'not-regular',
  // the content
  'too-large',
  'invalid-utf8',
  'nul-byte',
  'bom',
  'frontmatter',
  'secret',
  // the workspace as a whole
  'too-many-files',
  'workspace-too-large',
] as const
export type WorkspaceRejectCode = (typeof WORKSPACE_REJECT_CODES)[number]

/** Why a file was left out without being an error: OpenClaw would not load it either. */
export const WORKSPACE_SKIP_CODES = ['unknown-name', 'legacy-only'] as const
export type WorkspaceSkipCode = (typeof WORKSPACE_SKIP_CODES)[number]

/** A file's path on the wire, in characters (the workspace rules then allow far less). */
export const WORKSPACE_MAX_PATH_CHARS = 1024

/**
 * Whether `value` is a workspace push body exactly as workspaceSchema (src/contract/workspace.ts)
 * accepts it: `{files}` and nothing else, at most maxFiles entries of `{path, content}` and
 * nothing else, a path of 1..WORKSPACE_MAX_PATH_CHARS characters, content a string.
 */
export function isWorkspaceBody(value: unknown): value is {files: Array<{path: string; content: string}>} {
  if (!onlyKeys(value, ['files'])) return false
  const files = (value as {files?: unknown}).files
  if (!Array.isArray(files) || files.length > WORKSPACE_LIMITS.maxFiles) return false
  return files.every((f: unknown) => {
    if (!onlyKeys(f, ['path', 'content'])) return false
    const {path, content} = f as {path?: unknown; content?: unknown}
    return typeof path === 'string' && path.length >= 1 && path.length <= WORKSPACE_MAX_PATH_CHARS && typeof content === 'string'
  })
}

/** A plain object whose own keys are all among `allowed` (a strict object's check). */
function onlyKeys(value: unknown, allowed: readonly string[]): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).every((k) => allowed.includes(k))
}
