import {EVENT_STREAM, sseFrame} from '../../sse/frame.js'
import {anthropicProvider} from './anthropic.js'
import {openaiProvider} from './openai.js'
import type {FetchLike, Provider} from './types.js'

/**
 * Events per second through one provider's parsing path (HTTP body → SSE → decoding), measured
 * in-process on a long synthetic stream in the provider's real wire format, so the number shows
 * our own cost without a network or a server. For `npm run bench`. `events` counts what the
 * provider produced (text deltas + done).
 */
export async function measureProviderThroughput(options: {wire?: 'anthropic' | 'openai'; deltas?: number; chunkBytes?: number} = {}) {
  const wire = options.wire ?? 'anthropic'
  const deltas = options.deltas ?? 50_000
  const chunkBytes = options.chunkBytes ?? 16 * 1024
  const body = new TextEncoder().encode(syntheticStream(wire, deltas))
  const provider: Provider = wire === 'anthropic' ? anthropicProvider : openaiProvider
  const fetch: FetchLike = async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < body.length; i += chunkBytes) controller.enqueue(body.subarray(i, i + chunkBytes))
          controller.close()
        },
      }),
      {status: 200, headers: {'content-type': EVENT_STREAM}},
    )

  const started = performance.now()
  let events = 0
  const stream = provider.stream(
    {model: 'bench', system: '', messages: [{role: 'user', content: 'bench'}], apiKey: 'bench-key', baseUrl: 'http://127.0.0.1', signal: new AbortController().signal},
    {fetch},
  )
  for await (const _event of stream) events++
  const ms = performance.now() - started
  return {provider: provider.name, events, bytes: body.length, ms, eventsPerSecond: Math.round(events / (ms / 1000))}
}

/** A long, valid stream in a provider's wire format: `deltas` text deltas, then the end and usage. */
export function syntheticStream(wire: 'anthropic' | 'openai', deltas: number): string {
  return wire === 'anthropic' ? anthropicStream(deltas) : openaiStream(deltas)
}

function anthropicStream(deltas: number): string {
  const event = (name: string, data: string) => sseFrame({event: name, data})
  const parts = [
    event('message_start', '{"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","content":[],"model":"bench","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}'),
    event('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'),
  ]
  for (let i = 0; i < deltas; i++) {
    parts.push(event('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"tok${i % 100} "}}`))
  }
  parts.push(
    event('content_block_stop', '{"type":"content_block_stop","index":0}'),
    event('message_delta', `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${deltas}}}`),
    event('message_stop', '{"type":"message_stop"}'),
  )
  return parts.join('')
}

function openaiStream(deltas: number): string {
  const head = '{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench","system_fingerprint":"fp_bench","choices":['
  const data = (json: string) => sseFrame({data: json})
  const parts = [data(`${head}{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`)]
  for (let i = 0; i < deltas; i++) {
    parts.push(data(`${head}{"index":0,"delta":{"content":"tok${i % 100} "},"logprobs":null,"finish_reason":null}]}`))
  }
  parts.push(
    data(`${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}`),
    data(`${head}],"usage":{"prompt_tokens":10,"completion_tokens":${deltas},"total_tokens":${deltas + 10}}}`),
    data('[DONE]'),
  )
  return parts.join('')
}
