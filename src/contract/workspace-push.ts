import {z} from 'zod'
import {problemSchema} from './problem.js'
import {pushWorkspaceResponseSchema, WORKSPACE_LIMITS, workspaceFileSchema} from './workspace.js'

/**
 * PUT /v1/instances/:ref/workspace: bring a workspace in (`clawd config push`). It replaces the
 * whole workspace, atomically, with the accepted files; when any file is rejected nothing changes.
 *
 * The body is one of:
 * - `application/json` {files: [...]}: each file carries its text as `content` (a JSON string), or
 *   its raw bytes as `content_base64`. JSON strings cannot hold bytes that are not UTF-8, so a
 *   client that reads files as bytes sends them base64 and the API itself decides whether they are
 *   UTF-8 (and rejects them with `invalid-utf8` and the line when not). A `content` string with a
 *   lone surrogate (`"\ud800"`) cannot be encoded as UTF-8 either and is rejected the same way.
 * - `application/x-tar`: a ustar archive, as `clawd export --format tar` or
 *   `tar -cf - -C DIR .` writes it. Symlinks, hard links and devices are rejected with reasons,
 *   never extracted; paths that escape the archive are rejected by path.
 *
 * Answers: 200 with the push response (every path in exactly one of applied/skipped/rejected);
 * 422 problem+json carrying the same three lists (`applied` empty) when anything is rejected or
 * nothing would be applied; 413 past the body limit.
 */

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be standard base64')

export const pushWorkspaceFileSchema = z.union([
  workspaceFileSchema,
  z.strictObject({
    path: workspaceFileSchema.shape.path,
    /** The file's raw bytes, standard base64 with padding. */
    content_base64: base64,
  }),
])
export type PushWorkspaceFile = z.infer<typeof pushWorkspaceFileSchema>

export const pushWorkspaceRequestSchema = z.strictObject({
  files: z.array(pushWorkspaceFileSchema).max(WORKSPACE_LIMITS.maxFiles),
})

export const WORKSPACE_TAR_CONTENT_TYPE = 'application/x-tar'

/** The 422 answer: a problem document with the lists that say what to fix. */
export const pushWorkspaceRefusedSchema = problemSchema.extend(pushWorkspaceResponseSchema.shape)
export type PushWorkspaceRefused = z.infer<typeof pushWorkspaceRefusedSchema>
