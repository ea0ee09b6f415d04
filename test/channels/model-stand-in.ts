import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {EVENT_STREAM, sseFrame} from '../../src/sse/frame.js'

/**
 * An Anthropic Messages API stand-in (its SSE wire format, as in test/fixtures/providers/anthropic)
 * that answers from the last user message, so a channel test can see what reached the model:
 * "LONG" asks for `longText`, anything else gets `Answer to: <message>`. Every request is kept.
 */
export interface ModelStandIn {
  url: string
  requests: Array<{system: string; messages: Array<{role: string; content: unknown}>}>
  close(): Promise<void>
}

export async function startModelStandIn(longText: string): Promise<ModelStandIn> {
  const requests: ModelStandIn['requests'] = []
  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (d) => (raw += d))
    req.on('end', () => {
      const body = JSON.parse(raw) as {system?: unknown; messages: Array<{role: string; content: unknown}>}
      const system = typeof body.system === 'string' ? body.system : JSON.stringify(body.system ?? '')
      requests.push({system, messages: body.messages})
      const last = body.messages.at(-1)?.content
      const said = typeof last === 'string' ? last : JSON.stringify(last)
      const text = said.includes('LONG') ? longText : `Answer to: ${said}`
      res.writeHead(200, {'content-type': EVENT_STREAM})
      const event = (name: string, data: unknown) => res.write(sseFrame({event: name, data: JSON.stringify(data)}))
      event('message_start', {type: 'message_start', message: {id: 'msg_standin', type: 'message', role: 'assistant', content: [], model: 'stand-in', stop_reason: null, stop_sequence: null, usage: {input_tokens: 5, output_tokens: 1}}})
      event('content_block_start', {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}})
      for (let i = 0; i < text.length; i += 500) event('content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: text.slice(i, i + 500)}})
      event('content_block_stop', {type: 'content_block_stop', index: 0})
      event('message_delta', {type: 'message_delta', delta: {stop_reason: 'end_turn', stop_sequence: null}, usage: {output_tokens: 10}})
      event('message_stop', {type: 'message_stop'})
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
