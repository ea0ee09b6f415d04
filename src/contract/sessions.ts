import {z} from 'zod'
import {MAX_MESSAGE_CHARS, MAX_TITLE_CHARS, MAX_TOOL_CALL_ID_CHARS, MESSAGE_ID_PATTERN, SESSION_ID_PATTERN} from './core.js'
import {nextCursorSchema} from './page.js'
import {modelRefSchema, stopReasonSchema, toolEndEventSchema, toolStartEventSchema, usageSchema} from './stream.js'

/**
 * Sessions (conversations) with an instance's agent. Transcripts live inside the instance,
 * encrypted at rest; the API reaches them through the gateway and never stores message text.
 * The routes are in src/contract/routes/sessions.ts. A message stream's SSE ids are 1, 2, 3… within that stream. Its first events are `session` and
 * `message.start` (which carries the assistant message id used to resume). It ends with
 * `message.end` or `error`.
 */
export const sessionIdSchema = z.string().regex(SESSION_ID_PATTERN)
export const messageIdSchema = z.string().regex(MESSAGE_ID_PATTERN)

export const sessionSchema = z.object({
  id: z.string(),
  title: z.string(),
  model: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  message_count: z.number().int().nonnegative(),
  usage: usageSchema,
  /** Set when the session is a chat on a channel (issue 17), e.g. 'telegram'. */
  channel: z.string().optional(),
})
export type Session = z.infer<typeof sessionSchema>

/** One tool call of an answer, as kept in the transcript (output shortened, as on the stream). */
export const transcriptToolCallSchema = z.object({
  ...toolStartEventSchema.pick({id: true, name: true, arguments: true}).shape,
  ...toolEndEventSchema.pick({ok: true, output: true, skipped: true}).shape,
})
export type TranscriptToolCall = z.infer<typeof transcriptToolCallSchema>

export const transcriptMessageSchema = z.object({
  id: z.string(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  created_at: z.string(),
  /** Assistant messages: the model, usage and how it stopped. */
  model: z.string().optional(),
  usage: usageSchema.optional(),
  stop_reason: stopReasonSchema.optional(),
  error: z.object({code: z.string(), message: z.string()}).optional(),
  /** The tools the agent ran for this answer, in the order they started. */
  tools: z.array(transcriptToolCallSchema).optional(),
  /**
   * The agent stopped before the answer was complete (it was killed or crashed mid-answer):
   * `content` and `tools` are what it had saved up to then.
   */
  interrupted: z.boolean().optional(),
})
export type TranscriptMessage = z.infer<typeof transcriptMessageSchema>

export const sessionDetailSchema = sessionSchema.extend({messages: z.array(transcriptMessageSchema)})
export type SessionDetail = z.infer<typeof sessionDetailSchema>

/** GET …/sessions: oldest first, a page at a time (`?limit=&cursor=`, src/contract/page.ts). */
export const listSessionsResponseSchema = z.object({sessions: z.array(sessionSchema), next_cursor: nextCursorSchema})

export const createSessionRequestSchema = z.strictObject({
  title: z.string().max(MAX_TITLE_CHARS).optional(),
  model: modelRefSchema.optional(),
})

export {MAX_MESSAGE_CHARS} from './core.js'
export const sendMessageRequestSchema = z.strictObject({
  content: z.string().min(1).max(MAX_MESSAGE_CHARS),
  /** Overrides the session's and the instance's model for this message. */
  model: modelRefSchema.optional(),
  /**
   * Ask before each `exec`, `write` and `edit`: the agent sends `tool.start` with
   * `needs_approval` and waits for the approve route. Only a client with a person to ask sets it.
   */
  approve: z.boolean().optional(),
})

export const deleteSessionResponseSchema = z.object({id: z.string(), deleted: z.literal(true)})
export const clearSessionsResponseSchema = z.object({deleted: z.number().int().nonnegative()})
export const abortResponseSchema = z.object({aborted: z.boolean()})

/** The person's answer to a `tool.start` with `needs_approval`. */
export const approveToolRequestSchema = z.strictObject({
  tool_call_id: z.string().min(1).max(MAX_TOOL_CALL_ID_CHARS),
  approve: z.boolean(),
})
/** `accepted` is false when no call with that id is waiting (already answered, timed out, or over). */
export const approveToolResponseSchema = z.object({accepted: z.boolean()})
