import {z} from 'zod'
import {instanceRefSchema} from './instances.js'

/**
 * The account's access log (DESIGN §1 "Logs are transparent and bounded"): every authenticated
 * request and every lifecycle event, as the user may read it. Entries name the route template
 * (`/v1/instances/:ref`), never the raw URL, and hold no tokens, keys or message text.
 */
export const ACCESS_LOG_KINDS = ['request', 'lifecycle'] as const

export const accessLogEntrySchema = z.object({
  /** Increasing; `after_id` continues from it (`clawd logs --follow`). A string: it is a bigint. */
  id: z.string().regex(/^\d+$/),
  at: z.string(),
  kind: z.enum(ACCESS_LOG_KINDS),
  instance_id: z.string().nullable(),
  /** Lifecycle events: `instance.created`, `instance.paused`, … */
  event: z.string().nullable(),
  /** Requests: the token's id (never the token), the client, where it came from, what it did. */
  token_id: z.string().nullable(),
  client: z.string().nullable(),
  ip: z.string().nullable(),
  method: z.string().nullable(),
  route: z.string().nullable(),
  status: z.number().int().nullable(),
  duration_ms: z.number().int().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
})
export type AccessLogEntry = z.infer<typeof accessLogEntrySchema>

export const MAX_LOG_PAGE = 1000

/** GET /v1/logs query. Strict: a misspelt filter is an error, not a silently wider answer. */
export const logsQuerySchema = z.strictObject({
  /** Only entries at or after this time (ISO 8601). */
  since: z.iso.datetime({offset: true}).optional(),
  /** Only this instance (id or name; a deleted instance by its id). */
  instance: instanceRefSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LOG_PAGE).default(100),
  /** Only entries after this id, oldest first: how a follower continues. */
  after_id: z.string().regex(/^\d{1,19}$/).optional(),
})

/** Oldest first. Without `after_id`: the newest `limit` entries; with it: the next `limit`. */
export const logsResponseSchema = z.object({
  entries: z.array(accessLogEntrySchema),
  /** Pass as `after_id` to get what comes next (the last entry's id, or the one given). */
  next_after_id: z.string().nullable(),
})
export type LogsResponse = z.infer<typeof logsResponseSchema>
