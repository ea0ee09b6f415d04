import {afterEach, describe, expect, it} from 'vitest'
import type {StreamEvent} from '../../src/contract/stream.js'
import {apiFor} from '../../src/cli/kit/http/api.js'
import {ApiClient, type TokenProvider} from '../../src/cli/kit/http/api-client.js'
import {HttpTransport} from '../../src/cli/kit/http/transport.js'
import {StaticToken} from '../../src/cli/credentials/auth-session.js'
import {MessageStreamClient, type MessageStreamOptions} from '../../src/cli/chat/message-stream.js'
import {answerEvents, type ConnectionPlan, INSTANCE_ID, MESSAGE_ID, SESSION_ID, startStandIn, type StandIn} from './sse-stand-in.js'
import {failure} from '../helpers/cli-error.js'

const WORDS = ['The ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog.']
const EVENTS = answerEvents(WORDS)
const TOKEN = 'clawd_at_' + 'a'.repeat(36)

let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

function client(url: string, {auth = new StaticToken(TOKEN), ...overrides}: Partial<MessageStreamOptions> & {auth?: TokenProvider} = {}) {
  const reconnects: Array<{attempt: number; lastEventId: string | undefined}> = []
  const sleeps: number[] = []
  const c = new MessageStreamClient({
    api: apiFor(new ApiClient(url, new HttpTransport({userAgent: 'clawd-test'}), auth)),
    apiUrl: url,
    sleep: async (ms) => void sleeps.push(ms),
    onReconnect: (info) => reconnects.push(info),
    ...overrides,
  })
  return {c, reconnects, sleeps}
}

async function collect(c: MessageStreamClient, signal?: AbortSignal): Promise<StreamEvent[]> {
  const events: StreamEvent[] = []
  for await (const e of c.send({instance: INSTANCE_ID, sessionId: SESSION_ID, content: 'hi', model: 'dev/echo', signal})) events.push(e)
  return events
}

const textOf = (events: StreamEvent[]) => events.map((e) => (e.type === 'text.delta' ? e.text : '')).join('')


describe('message stream', () => {
  it('sends the message with the token and yields every event in order', async () => {
    standIn = await startStandIn({events: EVENTS})
    const events = await collect(client(standIn.url).c)
    expect(events).toEqual(EVENTS)
    const [sent] = standIn.requests
    expect(sent).toMatchObject({method: 'POST', path: `/v1/instances/${INSTANCE_ID}/sessions/${SESSION_ID}/messages`})
    expect(sent!.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(sent!.headers.accept).toBe('text/event-stream')
    expect(JSON.parse(sent!.body)).toEqual({content: 'hi', model: 'dev/echo'})
  })

  it('reads the stream whatever its line ends and however it is split into reads', async () => {
    for (const [eol, chunk] of [['\r\n', 7], ['\r', 3], ['\n', 1]] as const) {
      standIn = await startStandIn({events: EVENTS, eol, chunk})
      expect(await collect(client(standIn.url).c)).toEqual(EVENTS)
      await standIn.close()
      standIn = undefined
    }
  })

  // Every place the line can drop once the answer has an id: after each whole event, and halfway
  // through the next one. The result must equal the uninterrupted stream: nothing doubled or lost.
  const cuts: ConnectionPlan[] = []
  for (let after = 2; after < EVENTS.length; after++) cuts.push({cutAfter: after}, {cutAfter: after, partialBytes: 25})
  it.each(cuts)('resumes with Last-Event-ID after a cut (%o)', async (plan) => {
    standIn = await startStandIn({events: EVENTS, plans: [plan]})
    const {c, reconnects} = client(standIn.url)
    const events = await collect(c)
    expect(events).toEqual(EVENTS)
    expect(textOf(events)).toBe(WORDS.join(''))
    expect(reconnects).toEqual([{attempt: 1, lastEventId: String(plan.cutAfter)}])
    const resume = standIn.requests[1]!
    expect(resume).toMatchObject({method: 'GET', path: `/v1/instances/${INSTANCE_ID}/sessions/${SESSION_ID}/messages/${MESSAGE_ID}/events`})
    expect(resume.headers['last-event-id']).toBe(String(plan.cutAfter))
    expect(resume.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('survives several cuts in one answer, and a server that replays from the start', async () => {
    standIn = await startStandIn({events: EVENTS, plans: [{cutAfter: 3}, {cutAfter: 5, partialBytes: 10, replayAll: true}, {cutAfter: 8}, {replayAll: true}]})
    const {c, reconnects} = client(standIn.url)
    const events = await collect(c)
    expect(events).toEqual(EVENTS)
    expect(reconnects.map((r) => r.lastEventId)).toEqual(['3', '5', '8'])
    // Progress between cuts resets the count: each reconnect is a first try.
    expect(reconnects.map((r) => r.attempt)).toEqual([1, 1, 1])
  })

  it('retries a resume that fails with backoff, then gives up with exit 7', async () => {
    const unavailable = {status: 503, problem: {title: 'Unavailable', status: 503, code: 'unavailable'}}
    standIn = await startStandIn({events: EVENTS, plans: [{cutAfter: 4}, unavailable, unavailable, unavailable]})
    const {c, reconnects, sleeps} = client(standIn.url, {reconnect: {maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 0}, random: () => 0})
    const seen: StreamEvent[] = []
    const error = await failure(
      (async () => {
        for await (const e of c.send({instance: INSTANCE_ID, sessionId: SESSION_ID, content: 'hi'})) seen.push(e)
      })(),
    )
    expect(error.exitCode).toBe(7)
    expect(error.code).toBe('stream_lost')
    expect(seen).toEqual(EVENTS.slice(0, 4))
    expect(reconnects).toHaveLength(3)
    expect(sleeps).toEqual([50, 100, 200])
  })

  it('resumes after a failed try when the next one works', async () => {
    standIn = await startStandIn({events: EVENTS, plans: [{cutAfter: 4}, {status: 502, problem: {}}, {}]})
    expect(await collect(client(standIn.url).c)).toEqual(EVENTS)
  })

  it('a drop before the answer has an id cannot be resumed: exit 7 and say so', async () => {
    standIn = await startStandIn({events: EVENTS, plans: [{cutAfter: 1}]})
    const error = await failure(collect(client(standIn.url).c))
    expect(error.exitCode).toBe(7)
    expect(error.message).toMatch(/before the answer started/)
    expect(standIn.requests).toHaveLength(1)
  })

  it('a 429 before the stream exits 6 and says when the limit resets', async () => {
    const problem = {title: 'Quota exceeded', status: 429, code: 'quota_exceeded', detail: 'You sent 50 messages today.', retry_at: '2030-01-02T00:00:00.000Z'}
    standIn = await startStandIn({events: EVENTS, plans: [{status: 429, problem}]})
    const error = await failure(collect(client(standIn.url).c))
    expect(error.exitCode).toBe(6)
    expect(error.message).toContain('You sent 50 messages today.')
    expect(error.message).toContain('resets at 2030-01-02 00:00 UTC')
    expect(error.hint).toMatch(/Try again in/)
    // A POST is never repeated on its own.
    expect(standIn.requests).toHaveLength(1)
  })

  it('an expired token is refreshed once and the message sent again', async () => {
    standIn = await startStandIn({events: EVENTS, plans: [{status: 401, problem: {title: 'Expired', status: 401, code: 'token_expired'}}]})
    const tokens = ['clawd_at_old', 'clawd_at_new']
    const refreshed: string[] = []
    const auth: TokenProvider = {
      token: async () => tokens[0]!,
      refresh: async (rejected) => {
        refreshed.push(rejected)
        tokens.shift()
        return true
      },
    }
    expect(await collect(client(standIn.url, {auth}).c)).toEqual(EVENTS)
    expect(refreshed).toEqual(['clawd_at_old'])
    expect(standIn.requests.map((r) => r.headers.authorization)).toEqual(['Bearer clawd_at_old', 'Bearer clawd_at_new'])
  })

  it('never sends the token over plain http to another machine', async () => {
    const {c} = client('http://api.example.invalid')
    const error = await failure(collect(c))
    expect(error.code).toBe('insecure_api')
    expect(error.message).not.toContain(TOKEN)
  })

  it('ends at an error event, and skips event kinds from a newer server', async () => {
    const error: StreamEvent = {type: 'error', code: 'provider_auth', message: 'The provider refused the key.'}
    standIn = await startStandIn({events: [EVENTS[0]!, EVENTS[1]!, {type: 'tool.call', name: 'x'} as never, EVENTS[2]!, error, EVENTS[3]!]})
    expect(await collect(client(standIn.url).c)).toEqual([EVENTS[0], EVENTS[1], EVENTS[2], error])
  })

  it('a malformed event is an error that says the versions may differ, not a crash', async () => {
    standIn = await startStandIn({events: [EVENTS[0]!, {type: 'text.delta', text: 42} as never]})
    const error = await failure(collect(client(standIn.url).c))
    expect(error.code).toBe('unexpected_response')
    expect(error.hint).toMatch(/same version/)
  })

  it('stops at once and quietly when its signal aborts', async () => {
    standIn = await startStandIn({events: EVENTS, delayMs: 20})
    const abort = new AbortController()
    const events: StreamEvent[] = []
    for await (const e of client(standIn.url).c.send({instance: INSTANCE_ID, sessionId: SESSION_ID, content: 'hi', signal: abort.signal})) {
      events.push(e)
      if (e.type === 'text.delta') abort.abort()
    }
    expect(events.map((e) => e.type)).toEqual(['session', 'message.start', 'text.delta'])
    expect(standIn.requests).toHaveLength(1)
  })
})
