import {badStream, errorFromStreamPayload, isRecord} from './errors.js'
import {postProviderRequest} from './http-sse.js'
import {withRetry} from './retry.js'
import type {SseEvent} from '../../sse/parser.js'
import type {Provider, ProviderDeps, ProviderEvent, ProviderMessage, ProviderRequest, ProviderStopReason, ProviderTool} from './types.js'
import {joinUrl, parseEventData, requireKey, stopReasonFrom, tokenCount} from './wire.js'

interface ChatCompletionsFlavour {
  name: string
  /** OpenAI itself always needs a key; local servers (Ollama, LM Studio, vLLM) often take none. */
  keyRequired: boolean
  /**
   * OpenAI ends every stream with `data: [DONE]`, so EOF before it is a cut. Some compatible
   * servers stop right after the chunk with finish_reason; for them that chunk ends the stream too.
   */
  doneMarkerRequired: boolean
  /** OpenAI's newer models refuse `max_tokens`; most compatible servers only know `max_tokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens'
}

/** OpenAI Chat Completions, streamed: POST {baseUrl}/chat/completions (baseUrl includes /v1). */
export const openaiProvider: Provider = chatCompletionsProvider({
  name: 'openai',
  keyRequired: true,
  doneMarkerRequired: true,
  maxTokensField: 'max_completion_tokens',
})

/** The same wire format at any base URL: Ollama, vLLM, LM Studio, OpenRouter… */
export const openaiCompatibleProvider: Provider = chatCompletionsProvider({
  name: 'openai-compatible',
  keyRequired: false,
  doneMarkerRequired: false,
  maxTokensField: 'max_tokens',
})

function chatCompletionsProvider(flavour: ChatCompletionsFlavour): Provider {
  const {name} = flavour
  return {
    name,
    stream(req: ProviderRequest, deps: ProviderDeps): AsyncIterable<ProviderEvent> {
      return withRetry(name, req.signal, deps, () => {
        if (flavour.keyRequired) requireKey(name, req.apiKey)
        const messages = [...(req.system ? [{role: 'system', content: req.system}] : []), ...chatCompletionMessages(req.messages)]
        const events = postProviderRequest(name, req, deps, {
          url: joinUrl(name, req.baseUrl, '/chat/completions'),
          headers: req.apiKey ? {authorization: `Bearer ${req.apiKey}`} : {},
          body: {
            model: req.model,
            messages,
            ...(req.tools?.length ? {tools: chatCompletionTools(req.tools)} : {}),
            stream: true,
            // Without this the stream carries no token counts at all.
            stream_options: {include_usage: true},
            ...(req.maxTokens === undefined ? {} : {[flavour.maxTokensField]: req.maxTokens}),
          },
        })
        return decodeChatCompletionEvents(flavour, events, req.apiKey)
      })
    },
  }
}

/** Tools as Chat Completions takes them: functions with JSON Schema parameters. */
export function chatCompletionTools(tools: readonly ProviderTool[]): unknown[] {
  return tools.map(t => ({type: 'function', function: {name: t.name, description: t.description, parameters: t.parameters}}))
}

/**
 * Our conversation in Chat Completions shape: an assistant message carries its `tool_calls`
 * (arguments as the model wrote them) and each result is its own `role: tool` message naming
 * the call it answers.
 */
export function chatCompletionMessages(messages: readonly ProviderMessage[]): unknown[] {
  return messages.flatMap((m): unknown[] => {
    if (m.role === 'user') return [{role: 'user', content: m.content}]
    if (m.role === 'tool') return m.results.map(r => ({role: 'tool', tool_call_id: r.id, content: r.output}))
    if (!m.toolCalls?.length) return [{role: 'assistant', content: m.content}]
    return [
      {
        role: 'assistant',
        content: m.content || null,
        tool_calls: m.toolCalls.map(c => ({id: c.id, type: 'function', function: {name: c.name, arguments: c.input}})),
      },
    ]
  })
}

/**
 * Each `data:` chunk is a chat.completion.chunk: text in choices[0].delta.content, the end in
 * choices[0].finish_reason, token counts in a last chunk with empty choices and `usage`, then
 * `data: [DONE]`. Tool calls arrive in choices[0].delta.tool_calls, one entry per call keyed by
 * `index` (parallel calls interleave): the first piece has the id and name, the arguments come
 * split across chunks. They are yielded whole once the choice finishes. Other delta fields (role,
 * refusal, reasoning) are skipped.
 */
export async function* decodeChatCompletionEvents(
  flavour: Pick<ChatCompletionsFlavour, 'name' | 'doneMarkerRequired'>,
  events: AsyncIterable<SseEvent>,
  apiKey: string,
): AsyncGenerator<ProviderEvent> {
  const provider = flavour.name
  let inputTokens = 0
  let outputTokens = 0
  let stopReason: ProviderStopReason | undefined
  const calls = new Map<number, {id: string; name: string; input: string}>()
  /** The accumulated calls, in index order, each checked to be whole; then forgotten. */
  const finishedCalls = (): ProviderEvent[] => {
    const out: ProviderEvent[] = []
    for (const [, call] of [...calls].sort(([a], [b]) => a - b)) {
      if (!call.id || !call.name) throw badStream(provider, 'a tool call has no id or name')
      out.push({type: 'tool_call', id: call.id, name: call.name, input: call.input || '{}'})
    }
    calls.clear()
    return out
  }
  const done = (): ProviderEvent => ({
    type: 'done',
    stopReason: stopReason ?? 'end_turn',
    usage: {input_tokens: inputTokens, output_tokens: outputTokens},
  })

  for await (const event of events) {
    if (event.data === '[DONE]') {
      yield* finishedCalls()
      yield done()
      return
    }
    const data = parseEventData(provider, event.data)
    if (data.error !== undefined && data.error !== null) throw errorFromStreamPayload(provider, data, apiKey)
    if (Array.isArray(data.choices)) {
      const choice = data.choices.find(c => isRecord(c) && (c.index === undefined || c.index === 0))
      if (isRecord(choice)) {
        const delta = choice.delta
        if (isRecord(delta) && delta.content !== undefined && delta.content !== null) {
          if (typeof delta.content !== 'string') throw badStream(provider, 'delta.content is not a string')
          if (delta.content) yield {type: 'text', text: delta.content}
        }
        if (isRecord(delta) && delta.tool_calls !== undefined && delta.tool_calls !== null) {
          if (!Array.isArray(delta.tool_calls)) throw badStream(provider, 'delta.tool_calls is not a list')
          delta.tool_calls.forEach((piece, position) => takeToolCallPiece(provider, calls, piece, position))
        }
        if (typeof choice.finish_reason === 'string') {
          stopReason = stopReasonFrom(FINISH_REASONS, choice.finish_reason)
          yield* finishedCalls()
        }
      }
    }
    if (isRecord(data.usage)) {
      inputTokens = tokenCount(data.usage.prompt_tokens) ?? inputTokens
      outputTokens = tokenCount(data.usage.completion_tokens) ?? outputTokens
    }
  }
  if (!flavour.doneMarkerRequired && stopReason !== undefined) {
    yield* finishedCalls()
    yield done()
    return
  }
  throw badStream(provider, flavour.doneMarkerRequired ? 'it ended before [DONE]' : 'it ended before a finish_reason')
}

/** Adds one `tool_calls` entry of a delta to the call it continues (by index) or starts. */
function takeToolCallPiece(provider: string, calls: Map<number, {id: string; name: string; input: string}>, piece: unknown, position: number): void {
  if (!isRecord(piece)) throw badStream(provider, 'a tool_calls entry is not an object')
  const index = typeof piece.index === 'number' ? piece.index : indexWithout(calls, piece, position)
  const fn = isRecord(piece.function) ? piece.function : {}
  let call = calls.get(index)
  if (!call) {
    call = {id: '', name: '', input: ''}
    calls.set(index, call)
  }
  if (typeof piece.id === 'string' && piece.id) call.id = piece.id
  if (typeof fn.name === 'string' && fn.name) call.name = fn.name
  if (fn.arguments !== undefined && fn.arguments !== null) {
    if (typeof fn.arguments !== 'string') throw badStream(provider, 'tool call arguments are not text')
    call.input += fn.arguments
  }
}

/**
 * OpenAI always sends `index`; some compatible servers do not. Then a piece with a new id starts
 * a call, a piece with a known id continues it, and a piece with neither continues the last one.
 */
function indexWithout(calls: Map<number, {id: string}>, piece: Record<string, unknown>, position: number): number {
  const id = typeof piece.id === 'string' && piece.id ? piece.id : undefined
  for (const [index, call] of calls) if (id !== undefined && call.id === id) return index
  if (id !== undefined || calls.size === 0) return Math.max(-1, ...calls.keys()) + 1 + position
  return Math.max(...calls.keys())
}

/** Chat Completions' finish reasons that are not end_turn (stop and content_filter are). */
const FINISH_REASONS: Readonly<Record<string, ProviderStopReason>> = {length: 'max_tokens', tool_calls: 'tool_use', function_call: 'tool_use'}
