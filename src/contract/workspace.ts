import {z} from 'zod'
import {WORKSPACE_LIMITS, WORKSPACE_MAX_PATH_CHARS, WORKSPACE_REJECT_CODES, WORKSPACE_SKIP_CODES} from './workspace-limits.js'

/**
 * The agent's markdown workspace on the wire (OpenClaw layout, DESIGN §5). Files travel as UTF-8
 * text so JSON carries them as is; the same rules (src/workspace/) run on the CLI before upload
 * and in the API on arrival, so a client that skips the CLI gets the same answer.
 */

export {WORKSPACE_LIMITS, WORKSPACE_PUSH_MAX_BODY_BYTES} from './workspace-limits.js'

export const workspaceFileSchema = z.strictObject({
  /** Relative, `/`-separated, exact case: `SOUL.md`, `memory/2026-07-01.md`. */
  path: z.string().min(1).max(WORKSPACE_MAX_PATH_CHARS),
  /** UTF-8 text. */
  content: z.string(),
})
export type WorkspaceFile = z.infer<typeof workspaceFileSchema>

/** A whole workspace: the body of a push and the answer of an export. */
export const workspaceSchema = z.strictObject({
  files: z.array(workspaceFileSchema).max(WORKSPACE_LIMITS.maxFiles),
})

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
