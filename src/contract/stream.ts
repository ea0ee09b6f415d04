import {z} from 'zod'
import {MAX_MODEL_REF_CHARS, MODEL_REF_PATTERN} from './core.js'

/**
 * The events of an agent session stream (DESIGN §5): ours, not a provider's. Sent as SSE, one
 * event per message with `event: <type>`, `id: <seq>` and `data: <json>`; `clawd chat --json`
 * prints the same objects as NDJSON. `seq` increases by one per event within a message stream, so
 * a client that reconnects with Last-Event-ID gets exactly what it missed.
 */
export const usageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
})
export type Usage = z.infer<typeof usageSchema>

export const stopReasonSchema = z.enum(['end_turn', 'max_tokens', 'stop_sequence', 'aborted', 'error'])
export type StopReason = z.infer<typeof stopReasonSchema>

export const streamErrorCodeSchema = z.enum([
  'provider_auth',
  'provider_rate_limited',
  'provider_unavailable',
  'provider_bad_stream',
  'provider_connection',
  /** The server's egress policy refused the provider's host: the provider never saw the request. */
  'egress_refused',
  'no_key',
  'instance_deleted',
  'instance_unavailable',
  'aborted',
  /** The tool loop hit its bound on model calls or on total time without the model ending its turn. */
  'tool_limit',
  'internal',
])
export type StreamErrorCode = z.infer<typeof streamErrorCodeSchema>

export const sessionEventSchema = z.object({type: z.literal('session'), session_id: z.string(), instance_id: z.string()})
export const messageStartEventSchema = z.object({
  type: z.literal('message.start'),
  message_id: z.string(),
  model: z.string(),
})
export const textDeltaEventSchema = z.object({type: z.literal('text.delta'), text: z.string()})
export const messageEndEventSchema = z.object({
  type: z.literal('message.end'),
  message_id: z.string(),
  stop_reason: stopReasonSchema,
  usage: usageSchema,
})
/**
 * The agent runs a tool the model asked for. `arguments` is the model's JSON object as parsed
 * (`{}` when the model sent something that is not an object; the tool then fails). With
 * `needs_approval` the agent waits for the client's answer on the message's approve route
 * before it runs the call (`clawd chat --approve`).
 */
export const toolStartEventSchema = z.object({
  type: z.literal('tool.start'),
  id: z.string(),
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  needs_approval: z.boolean().optional(),
})
/** How a tool call ended. `output` is shortened for display; the model got the tool's whole (bounded) output. */
export const toolEndEventSchema = z.object({
  type: z.literal('tool.end'),
  id: z.string(),
  name: z.string(),
  ok: z.boolean(),
  output: z.string(),
  /** Set when the call did not run: the person said no, or nobody answered in time. */
  skipped: z.enum(['denied', 'no_answer']).optional(),
})
export const errorEventSchema = z.object({
  type: z.literal('error'),
  code: streamErrorCodeSchema,
  message: z.string(),
  hint: z.string().optional(),
})

export const streamEventSchema = z.discriminatedUnion('type', [
  sessionEventSchema,
  messageStartEventSchema,
  textDeltaEventSchema,
  toolStartEventSchema,
  toolEndEventSchema,
  messageEndEventSchema,
  errorEventSchema,
])
export type StreamEvent = z.infer<typeof streamEventSchema>

/** Model names are `provider/model`, e.g. `anthropic/claude-sonnet-4-5` or `dev/echo`. */
export const modelRefSchema = z
  .string()
  .max(MAX_MODEL_REF_CHARS)
  .regex(MODEL_REF_PATTERN, 'use provider/model, e.g. anthropic/claude-sonnet-4-5')
