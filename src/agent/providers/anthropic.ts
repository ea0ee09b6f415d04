import {badStream, errorFromStreamPayload, isRecord} from './errors.js'
import {postForEvents} from './http-sse.js'
import {resolveTiming, withRetry} from './retry.js'
import type {SseEvent} from './sse.js'
import type {Provider, ProviderDeps, ProviderEvent, ProviderRequest, StopReason} from './types.js'
import {joinUrl, parseEventData, requireKey, tokenCount} from './wire.js'

export const ANTHROPIC_VERSION = '2023-06-01'
/** The Messages API requires max_tokens. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096

/** Anthropic Messages API, streamed: POST {baseUrl}/v1/messages with `stream: true`. */
export const anthropicProvider: Provider = {
  name: 'anthropic',
  stream(req: ProviderRequest, deps: ProviderDeps): AsyncIterable<ProviderEvent> {
    const name = 'anthropic'
    return withRetry(name, req.signal, deps, () => {
      requireKey(name, req.apiKey)
      const events = postForEvents({
        provider: name,
        url: joinUrl(name, req.baseUrl, '/v1/messages', '/v1'),
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'x-api-key': req.apiKey,
          'anthropic-version': ANTHROPIC_VERSION,
        },
        body: {
          model: req.model,
          max_tokens: req.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
          ...(req.system ? {system: req.system} : {}),
          messages: req.messages.map(m => ({role: m.role, content: m.content})),
          stream: true,
        },
        apiKey: req.apiKey,
        signal: req.signal,
        fetch: deps.fetch,
        idleTimeoutMs: resolveTiming(deps).idleTimeoutMs,
      })
      return decodeAnthropicEvents(name, events, req.apiKey)
    })
  },
}

/**
 * message_start carries the input usage, content_block_delta/text_delta the text, message_delta
 * the stop reason and (cumulative) output usage, message_stop the end. Events we do not use
 * (ping, thinking and tool deltas, block start/stop, unknown future events) are skipped.
 */
export async function* decodeAnthropicEvents(
  provider: string,
  events: AsyncIterable<SseEvent>,
  apiKey: string,
): AsyncGenerator<ProviderEvent> {
  // Input usage is reported in parts; our count is everything the model read, cached or not.
  const input = {input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0}
  let outputTokens = 0
  let stopReason: StopReason = 'end_turn'
  const takeUsage = (usage: unknown) => {
    if (!isRecord(usage)) return
    for (const key of Object.keys(input) as Array<keyof typeof input>) {
      const n = tokenCount(usage[key])
      if (n !== undefined) input[key] = n
    }
    const out = tokenCount(usage.output_tokens)
    if (out !== undefined) outputTokens = out
  }

  for await (const event of events) {
    if (event.event === 'ping') continue
    const data = parseEventData(provider, event.data)
    const type = event.event !== 'message' ? event.event : String(data.type ?? '')
    switch (type) {
      case 'message_start':
        takeUsage(isRecord(data.message) ? data.message.usage : undefined)
        break
      case 'content_block_start': {
        const block = data.content_block
        if (isRecord(block) && block.type === 'text' && typeof block.text === 'string' && block.text) {
          yield {type: 'text', text: block.text}
        }
        break
      }
      case 'content_block_delta': {
        const delta = data.delta
        if (isRecord(delta) && delta.type === 'text_delta') {
          if (typeof delta.text !== 'string') throw badStream(provider, 'a text_delta has no text')
          if (delta.text) yield {type: 'text', text: delta.text}
        }
        break
      }
      case 'message_delta':
        if (isRecord(data.delta) && typeof data.delta.stop_reason === 'string') stopReason = mapStopReason(data.delta.stop_reason)
        takeUsage(data.usage)
        break
      case 'message_stop': {
        const inputTokens = input.input_tokens + input.cache_creation_input_tokens + input.cache_read_input_tokens
        yield {type: 'done', stopReason, usage: {input_tokens: inputTokens, output_tokens: outputTokens}}
        return
      }
      case 'error':
        throw errorFromStreamPayload(provider, data, apiKey)
      default:
    }
  }
  throw badStream(provider, 'it ended before message_stop')
}

function mapStopReason(reason: string): StopReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens'
    case 'stop_sequence':
      return 'stop_sequence'
    default:
      // end_turn, and for this text-only agent also tool_use, pause_turn and refusal.
      return 'end_turn'
  }
}
