import {badStream, errorFromStreamPayload, isRecord} from './errors.js'
import {postForEvents} from './http-sse.js'
import {resolveTiming, withRetry} from './retry.js'
import type {SseEvent} from './sse.js'
import type {Provider, ProviderDeps, ProviderEvent, ProviderRequest, StopReason} from './types.js'
import {joinUrl, parseEventData, requireKey, tokenCount} from './wire.js'

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
        const headers: Record<string, string> = {'content-type': 'application/json', accept: 'text/event-stream'}
        if (req.apiKey) headers.authorization = `Bearer ${req.apiKey}`
        const messages = [
          ...(req.system ? [{role: 'system', content: req.system}] : []),
          ...req.messages.map(m => ({role: m.role, content: m.content})),
        ]
        const events = postForEvents({
          provider: name,
          url: joinUrl(name, req.baseUrl, '/chat/completions'),
          headers,
          body: {
            model: req.model,
            messages,
            stream: true,
            // Without this the stream carries no token counts at all.
            stream_options: {include_usage: true},
            ...(req.maxTokens === undefined ? {} : {[flavour.maxTokensField]: req.maxTokens}),
          },
          apiKey: req.apiKey,
          signal: req.signal,
          fetch: deps.fetch,
          idleTimeoutMs: resolveTiming(deps).idleTimeoutMs,
        })
        return decodeChatCompletionEvents(flavour, events, req.apiKey)
      })
    },
  }
}

/**
 * Each `data:` chunk is a chat.completion.chunk: text in choices[0].delta.content, the end in
 * choices[0].finish_reason, token counts in a last chunk with empty choices and `usage`, then
 * `data: [DONE]`. Other delta fields (role, refusal, tool calls, reasoning) are skipped.
 */
export async function* decodeChatCompletionEvents(
  flavour: Pick<ChatCompletionsFlavour, 'name' | 'doneMarkerRequired'>,
  events: AsyncIterable<SseEvent>,
  apiKey: string,
): AsyncGenerator<ProviderEvent> {
  const provider = flavour.name
  let inputTokens = 0
  let outputTokens = 0
  let stopReason: StopReason | undefined
  const done = (): ProviderEvent => ({
    type: 'done',
    stopReason: stopReason ?? 'end_turn',
    usage: {input_tokens: inputTokens, output_tokens: outputTokens},
  })

  for await (const event of events) {
    if (event.data === '[DONE]') {
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
        if (typeof choice.finish_reason === 'string') stopReason = mapFinishReason(choice.finish_reason)
      }
    }
    if (isRecord(data.usage)) {
      inputTokens = tokenCount(data.usage.prompt_tokens) ?? inputTokens
      outputTokens = tokenCount(data.usage.completion_tokens) ?? outputTokens
    }
  }
  if (!flavour.doneMarkerRequired && stopReason !== undefined) {
    yield done()
    return
  }
  throw badStream(provider, flavour.doneMarkerRequired ? 'it ended before [DONE]' : 'it ended before a finish_reason')
}

function mapFinishReason(reason: string): StopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens'
    default:
      // stop, and for this text-only agent also tool_calls, function_call and content_filter.
      return 'end_turn'
  }
}
