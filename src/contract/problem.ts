import {z} from 'zod'

/**
 * Stable error codes shared by the API (in problem+json `code`) and the CLI (mapped to exit codes).
 * Adding a code is fine; renaming one breaks scripts that match on it.
 */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'payload_too_large',
  'unauthenticated',
  'token_expired',
  'forbidden',
  /** The account's plan does not include tools (free is chat only). */
  'plan_forbids_tools',
  'not_found',
  'conflict',
  'already_exists',
  'wrong_state',
  'quota_exceeded',
  'rate_limited',
  'unavailable',
  'internal',
] as const
export const errorCodeSchema = z.enum(ERROR_CODES)
export type ErrorCode = z.infer<typeof errorCodeSchema>

/** RFC 9457 problem details, with our stable `code` and a `hint` that says what to do. */
export const problemSchema = z.looseObject({
  type: z.string().default('about:blank'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: errorCodeSchema,
  hint: z.string().optional(),
  /** ISO time when a quota resets or a retry makes sense. */
  retry_at: z.string().optional(),
  /** Open service incidents at the time of the error, so the CLI can mention them. */
  incident: z.string().optional(),
})
export type Problem = z.infer<typeof problemSchema>

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** The `--json` error document the CLI prints: `{"error": {"code", "message", "hint"}}`. */
export const cliErrorDocumentSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    /** An open service incident the API named with the failure. */
    incident: z.string().optional(),
  }),
})
