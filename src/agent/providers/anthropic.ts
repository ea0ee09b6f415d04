import {badStream, errorFromStreamPayload, isRecord} from './errors.js'
import {postProviderRequest} from './http-sse.js'
import {withRetry} from './retry.js'
import type {SseEvent} from '../../sse/parser.js'
import type {Provider, ProviderDeps, ProviderEvent, ProviderMessage, ProviderRequest, ProviderStopReason, ProviderTool} from './types.js'
import {joinUrl, parseEventData, requireKey, stopReasonFrom, tokenCount} from './wire.js'

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
      const events = postProviderRequest(name, req, deps, {
        url: joinUrl(name, req.baseUrl, '/v1/messages', '/v1'),
        headers: {'x-api-key': req.apiKey, 'anthropic-version': ANTHROPIC_VERSION},
        body: {
          model: req.model,
          max_tokens: req.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
          ...(req.system ? {system: req.system} : {}),
          messages: anthropicMessages(req.messages),
          ...(req.tools?.length ? {tools: anthropicTools(req.tools)} : {}),
          stream: true,
        },
      })
      return decodeAnthropicEvents(name, events, req.apiKey)
    })
  },
}

/** Tools as the Messages API takes them: the JSON Schema goes in `input_schema`. */
export function anthropicTools(tools: readonly ProviderTool[]): unknown[] {
  return tools.map(t => ({name: t.name, description: t.description, input_schema: t.parameters}))
}

/**
 * Our conversation in Messages API shape. An assistant turn with tool calls becomes text and
 * `tool_use` blocks; the results go back in the next user turn as `tool_result` blocks (errors
 * flagged with `is_error`), which is how the API pairs them by `tool_use_id`.
 */
export function anthropicMessages(messages: readonly ProviderMessage[]): unknown[] {
  return messages.map(m => {
    if (m.role === 'user') return {role: 'user', content: m.content}
    if (m.role === 'tool') {
      return {
        role: 'user',
        content: m.results.map(r => ({type: 'tool_result', tool_use_id: r.id, content: r.output, ...(r.ok ? {} : {is_error: true})})),
      }
    }
    if (!m.toolCalls?.length) return {role: 'assistant', content: m.content}
    return {
      role: 'assistant',
      content: [
        ...(m.content ? [{type: 'text', text: m.content}] : []),
        ...m.toolCalls.map(c => ({type: 'tool_use', id: c.id, name: c.name, input: inputObject(c.input)})),
      ],
    }
  })
}

/** The API only takes an object as a tool_use input; arguments that were not one are sent as {}. */
function inputObject(input: string): unknown {
  try {
    const value: unknown = JSON.parse(input)
    return isRecord(value) ? value : {}
  } catch {
    return {}
  }
}

/**
 * message_start carries the input usage, content_block_delta/text_delta the text, message_delta
 * the stop reason and (cumulative) output usage, message_stop the end. A `tool_use` block's
 * arguments arrive as `input_json_delta` pieces; the call is yielded whole at its
 * content_block_stop. Events we do not use (ping, thinking, block stops of text, unknown future
 * events) are skipped.
 */
export async function* decodeAnthropicEvents(
  provider: string,
  events: AsyncIterable<SseEvent>,
  apiKey: string,
): AsyncGenerator<ProviderEvent> {
  // Input usage is reported in parts; our count is everything the model read, cached or not.
  const input = {input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0}
  let outputTokens = 0
  let stopReason: ProviderStopReason = 'end_turn'
  /** tool_use blocks still receiving their arguments, by content block index. */
  const openTools = new Map<number, {id: string; name: string; input: string; started: string}>()
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
    if (event.type === 'ping') continue
    const data = parseEventData(provider, event.data)
    const type = event.type !== 'message' ? event.type : String(data.type ?? '')
    switch (type) {
      case 'message_start':
        takeUsage(isRecord(data.message) ? data.message.usage : undefined)
        break
      case 'content_block_start': {
        const block = data.content_block
        if (isRecord(block) && block.type === 'text' && typeof block.text === 'string' && block.text) {
          yield {type: 'text', text: block.text}
        }
        if (isRecord(block) && block.type === 'tool_use') {
          if (typeof block.id !== 'string' || !block.id || typeof block.name !== 'string' || !block.name) {
            throw badStream(provider, 'a tool_use block has no id or name')
          }
          // The start usually says `input: {}` and the arguments follow as deltas.
          const started = isRecord(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : ''
          openTools.set(blockIndex(provider, data), {id: block.id, name: block.name, input: '', started})
        }
        break
      }
      case 'content_block_delta': {
        const delta = data.delta
        if (isRecord(delta) && delta.type === 'text_delta') {
          if (typeof delta.text !== 'string') throw badStream(provider, 'a text_delta has no text')
          if (delta.text) yield {type: 'text', text: delta.text}
        }
        if (isRecord(delta) && delta.type === 'input_json_delta') {
          const tool = openTools.get(blockIndex(provider, data))
          if (!tool) throw badStream(provider, 'an input_json_delta belongs to no tool_use block')
          if (delta.partial_json !== undefined && typeof delta.partial_json !== 'string') throw badStream(provider, 'an input_json_delta is not text')
          tool.input += delta.partial_json ?? ''
        }
        break
      }
      case 'content_block_stop': {
        const index = typeof data.index === 'number' ? data.index : -1
        const tool = openTools.get(index)
        if (tool) {
          openTools.delete(index)
          yield {type: 'tool_call', id: tool.id, name: tool.name, input: tool.input || tool.started || '{}'}
        }
        break
      }
      case 'message_delta':
        if (isRecord(data.delta) && typeof data.delta.stop_reason === 'string') stopReason = stopReasonFrom(STOP_REASONS, data.delta.stop_reason)
        takeUsage(data.usage)
        break
      case 'message_stop': {
        if (openTools.size > 0) throw badStream(provider, 'a tool_use block was never closed')
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

function blockIndex(provider: string, data: Record<string, unknown>): number {
  if (typeof data.index !== 'number' || !Number.isInteger(data.index)) throw badStream(provider, 'a content block event has no index')
  return data.index
}

/** The Messages API's stop reasons that are not end_turn (pause_turn and refusal end the turn too). */
const STOP_REASONS: Readonly<Record<string, ProviderStopReason>> = {
  tool_use: 'tool_use',
  max_tokens: 'max_tokens',
  model_context_window_exceeded: 'max_tokens',
  stop_sequence: 'stop_sequence',
}
