import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {StreamEvent} from '../../src/contract/stream.js'
import {EVENT_STREAM_CONTENT_TYPE, sseFrame} from '../../src/sse/frame.js'

export const SESSION_ID = 'ses_abcdefghijklmnopqrst'
export const MESSAGE_ID = 'msg_abcdefghijklmnopqrst'
export const INSTANCE_ID = 'ins_abcdefghijklmnopqrst'

/** The events of one answer, in order; ids are their positions from 1. */
export function answerEvents(words: string[]): StreamEvent[] {
  return [
    {type: 'session', session_id: SESSION_ID, instance_id: INSTANCE_ID},
    {type: 'message.start', message_id: MESSAGE_ID, model: 'dev/echo'},
    ...words.map((text): StreamEvent => ({type: 'text.delta', text})),
    {type: 'message.end', message_id: MESSAGE_ID, stop_reason: 'end_turn', usage: {input_tokens: 3, output_tokens: words.length}},
  ]
}

export function frame(event: StreamEvent | Record<string, unknown>, id: number | undefined, eol = '\n'): string {
  const type = String((event as {type: string}).type)
  // JSON has no raw line breaks: every "\n" in the frame is a line end, written as `eol`.
  return sseFrame({id, event: type, data: JSON.stringify(event)}).replaceAll('\n', eol)
}

/** What one connection does: send events up to `cutAfter` (then maybe half the next), then drop. */
export interface ConnectionPlan {
  /** Drop the connection after this many events of the whole answer (by id); absent: no drop. */
  cutAfter?: number
  /** Also send this many bytes of the next event before dropping (a cut mid-event). */
  partialBytes?: number
  /** Answer with this status and problem body instead. */
  status?: number
  problem?: Record<string, unknown>
  headers?: Record<string, string>
  /** Ignore Last-Event-ID and replay from the first event (a sloppy server). */
  replayAll?: boolean
}

export interface StandIn {
  url: string
  requests: Array<{method: string; path: string; headers: IncomingMessage['headers']; body: string}>
  aborts: number
  close(): Promise<void>
}

/**
 * A local stand-in for the API's message routes: it streams a fixed answer as SSE, and each
 * connection (the send, then each resume) follows its plan, so a test can cut the line anywhere.
 */
export async function startStandIn(opts: {
  events: StreamEvent[]
  plans?: ConnectionPlan[]
  eol?: string
  /** Writes each event in pieces of this many characters, to split lines across reads. */
  chunk?: number
  /** Called when the abort route is hit; the stream then ends with message.end aborted. */
  abortable?: boolean
  /** Delay between events when abortable. */
  delayMs?: number
}): Promise<StandIn> {
  const plans = [...(opts.plans ?? [])]
  const requests: StandIn['requests'] = []
  let aborted = false
  const state = {aborts: 0}
  const eol = opts.eol ?? '\n'

  const stream = async (res: ServerResponse, after: number, plan: ConnectionPlan) => {
    res.writeHead(200, {'content-type': EVENT_STREAM_CONTENT_TYPE, 'cache-control': 'no-cache'})
    const send = (text: string) =>
      new Promise<void>((resolve) => {
        if (!opts.chunk) return res.write(text, () => resolve())
        for (let i = 0; i < text.length; i += opts.chunk) res.write(text.slice(i, i + opts.chunk))
        res.write('', () => resolve())
      })
    for (let i = plan.replayAll ? 0 : after; i < opts.events.length; i++) {
      const id = i + 1
      let event = opts.events[i]!
      if (aborted && event.type === 'text.delta') continue
      if (aborted && event.type === 'message.end') event = {...event, stop_reason: 'aborted'}
      if (plan.cutAfter !== undefined && id > plan.cutAfter) {
        if (plan.partialBytes) await send(frame(event, id, eol).slice(0, plan.partialBytes))
        res.socket?.destroy()
        return
      }
      await send(frame(event, id, eol))
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs))
    }
    res.end()
  }

  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      requests.push({method: req.method!, path: req.url!, headers: req.headers, body})
      if (req.url!.endsWith('/abort')) {
        state.aborts++
        aborted = true
        res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({aborted: true}))
        return
      }
      if (req.method === 'POST' && req.url!.endsWith('/sessions')) {
        const now = new Date().toISOString()
        const session = {id: SESSION_ID, title: '', model: 'dev/echo', created_at: now, updated_at: now, message_count: 0, usage: {input_tokens: 0, output_tokens: 0}}
        res.writeHead(201, {'content-type': 'application/json'}).end(JSON.stringify(session))
        return
      }
      const plan = plans.shift() ?? {}
      if (plan.status) {
        res.writeHead(plan.status, {'content-type': 'application/problem+json', ...plan.headers}).end(JSON.stringify(plan.problem ?? {}))
        return
      }
      const after = Number(req.headers['last-event-id'] ?? 0)
      void stream(res, req.url!.endsWith('/events') ? after : 0, plan)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get aborts() {
      return state.aborts
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
