import {z} from 'zod'

/**
 * The agent's markdown workspace on the wire (OpenClaw layout, DESIGN §5). Files travel as UTF-8
 * text so JSON carries them as is; the same rules (src/workspace/) run on the CLI before upload
 * and in the API on arrival, so a client that skips the CLI gets the same answer.
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

export const workspaceFileSchema = z.strictObject({
  /** Relative, `/`-separated, exact case: `SOUL.md`, `memory/2026-07-01.md`. */
  path: z.string().min(1).max(1024),
  /** UTF-8 text. */
  content: z.string(),
})
export type WorkspaceFile = z.infer<typeof workspaceFileSchema>

/** A whole workspace: the body of a push and the answer of an export. */
export const workspaceSchema = z.strictObject({
  files: z.array(workspaceFileSchema).max(WORKSPACE_LIMITS.maxFiles),
})
export type Workspace = z.infer<typeof workspaceSchema>

export const workspaceRejectionSchema = z.object({
  path: z.string(),
  code: z.enum(WORKSPACE_REJECT_CODES),
  /** One sentence naming the file; never contains a secret. */
  message: z.string(),
  /** 1-based line in the file, when the problem is on one line. */
  line: z.number().int().positive().optional(),
})
export type WorkspaceRejection = z.infer<typeof workspaceRejectionSchema>

export const workspaceSkipSchema = z.object({
  path: z.string(),
  code: z.enum(WORKSPACE_SKIP_CODES),
  message: z.string(),
})
export type WorkspaceSkip = z.infer<typeof workspaceSkipSchema>

/** The answer to a push: every path sent lands in exactly one list. */
export const pushWorkspaceResponseSchema = z.object({
  applied: z.array(z.string()),
  skipped: z.array(workspaceSkipSchema),
  rejected: z.array(workspaceRejectionSchema),
})
export type PushWorkspaceResponse = z.infer<typeof pushWorkspaceResponseSchema>
