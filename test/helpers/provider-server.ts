import {readFileSync} from 'node:fs'
import {createServer, type IncomingHttpHeaders, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * A local model provider for tests: replays a recorded stream from test/fixtures/providers/ on
 * 127.0.0.1, or fails the way real providers fail. It records every request (headers, JSON body)
 * and whether the client hung up before the answer was complete.
 *
 *   const server = await startProviderServer({fixture: 'anthropic/basic'})
 *   // provider baseUrl: server.baseUrl   (…/v1 for OpenAI-style fixtures)
 *   server.requests[0].headers['x-api-key']
 *   await server.close()
 */

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'providers')

export type ProviderServerMode =
  | 'normal'
  | '401'
  | '429'
  | '500'
  | '529'
  /** Sends `cutAfter` events, then a data line that is not JSON, then ends. */
  | 'malformed'
  /** Sends `cutAfter` events and half of the next one, then ends the response cleanly (EOF). */
  | 'truncated'
  /** Sends `cutAfter` whole events, then ends the response cleanly: EOF before the terminal event. */
  | 'eof'
  /** Sends `cutAfter` events, then destroys the socket. */
  | 'drop'
  /** Sends `cutAfter` events, then nothing, keeping the connection open. */
  | 'stall'

export interface ProviderServerOptions {
  /** Fixture name without `.sse` (e.g. 'anthropic/basic'); a list is served in turn, the last one repeating. */
  fixture: string | readonly string[]
  /**
   * Serve this stream text instead of the fixture file(s), e.g. a long `syntheticStream()` for a
   * benchmark; `fixture` still names the wire format ('anthropic/…' or 'openai/…').
   */
  stream?: string
  mode?: ProviderServerMode
  /** How many requests get `mode`; later ones are served normally. Default: all. */
  failTimes?: number
  /** Events sent before a malformed/truncated/drop/stall failure. Default: half of them. */
  cutAfter?: number
  /** `retry-after` header for 429 (seconds). Default 0. */
  retryAfterSeconds?: number
  /** Pause between events. Default 0. */
  eventDelayMs?: number
  /** Write in pieces of this many bytes instead of one write per event (exercises split reads). */
  chunkBytes?: number
}

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** Parsed JSON body (undefined when it is not JSON). */
  body: unknown
  /** True once the client hung up before the answer was complete. */
  closedEarly: boolean
  /** Resolves when the exchange ends, either way. */
  closed: Promise<void>
}

export interface ProviderServer {
  /** http://127.0.0.1:PORT */
  url: string
  /** What to configure as the provider's base URL for this fixture's wire format. */
  baseUrl: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURES_DIR, `${name}.sse`), 'utf8')
}

export function readExpected(name: string): {text: string; usage: {input_tokens: number; output_tokens: number}; stopReason: string} {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.expected.json`), 'utf8'))
}

/** A fixture split into whole events, each with its terminating blank line. */
export function fixtureEvents(text: string): string[] {
  return text.split(/(?<=\n\n)/).filter(e => e.length > 0)
}

export async function startProviderServer(options: ProviderServerOptions): Promise<ProviderServer> {
  const fixtures = (Array.isArray(options.fixture) ? options.fixture : [options.fixture]) as readonly string[]
  if (fixtures.length === 0) throw new Error('startProviderServer needs a fixture')
  const streams = options.stream !== undefined ? [fixtureEvents(options.stream)] : fixtures.map(name => fixtureEvents(readFixture(name)))
  const wire: Wire = fixtures[0]!.startsWith('anthropic/') ? 'anthropic' : 'openai'
  const mode = options.mode ?? 'normal'
  const failTimes = options.failTimes ?? Number.POSITIVE_INFINITY
  const requests: RecordedRequest[] = []

  const server = createServer((req, res) => {
    const index = requests.length
    let markClosed!: () => void
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: undefined,
      closedEarly: false,
      closed: new Promise<void>(resolve => (markClosed = resolve)),
    }
    requests.push(record)
    res.on('close', () => {
      if (!res.writableFinished && !droppedByServer.has(res)) record.closedEarly = true
      markClosed()
    })
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      try {
        record.body = JSON.parse(raw)
      } catch {
        record.body = undefined
      }
      const events = streams[Math.min(index, streams.length - 1)]!
      const effective = index < failTimes ? mode : 'normal'
      void respond(res, effective, events, wire, options, String(req.headers['x-api-key'] ?? req.headers.authorization ?? ''))
    })
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    baseUrl: wire === 'anthropic' ? url : `${url}/v1`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

type Wire = 'anthropic' | 'openai'

/** Responses whose connection this server cut on purpose ('drop'), so the client did not hang up. */
const droppedByServer = new WeakSet<ServerResponse>()

async function respond(
  res: ServerResponse,
  mode: ProviderServerMode,
  events: string[],
  wire: Wire,
  options: ProviderServerOptions,
  receivedAuth: string,
): Promise<void> {
  const status = {'401': 401, '429': 429, '500': 500, '529': 529}[mode as string]
  if (status !== undefined) {
    const headers: Record<string, string> = {'content-type': 'application/json'}
    if (status === 429) headers['retry-after'] = String(options.retryAfterSeconds ?? 0)
    res.writeHead(status, headers)
    res.end(JSON.stringify(errorBody(wire, status, receivedAuth)))
    return
  }

  res.writeHead(200, {'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive'})
  const cutAfter = Math.max(0, Math.min(events.length, options.cutAfter ?? Math.floor(events.length / 2)))
  const toSend = mode === 'normal' ? events : events.slice(0, cutAfter)
  for (const event of toSend) {
    if (res.destroyed) return
    if (options.eventDelayMs) await sleep(options.eventDelayMs)
    await write(res, event, options.chunkBytes)
  }
  if (res.destroyed) return
  switch (mode) {
    case 'malformed':
      await write(res, 'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"oops"\n\n')
      res.end()
      return
    case 'truncated': {
      const next = events[cutAfter] ?? 'data: {"partial":'
      await write(res, next.slice(0, Math.max(1, Math.floor(next.length / 2))))
      res.end()
      return
    }
    case 'eof':
      res.end()
      return
    case 'drop':
      droppedByServer.add(res)
      res.socket?.destroy()
      return
    case 'stall':
      // Keep the response open until the client or close() ends it.
      return
    default:
      res.end()
  }
}

function errorBody(wire: Wire, status: number, receivedAuth: string): unknown {
  // Real providers echo (part of) the key back in auth errors; so does this one, to prove we never show it.
  const echoed = receivedAuth.replace(/^Bearer\s+/i, '')
  if (wire === 'anthropic') {
    const [type, message] =
      status === 401
        ? ['authentication_error', `invalid x-api-key ${echoed}`]
        : status === 429
          ? ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit']
          : status === 529
            ? ['overloaded_error', 'Overloaded']
            : ['api_error', 'Internal server error']
    return {type: 'error', error: {type, message}, request_id: 'req_011CTestProviderServer0001'}
  }
  const [type, code, message] =
    status === 401
      ? ['invalid_request_error', 'invalid_api_key', `Incorrect API key provided: ${echoed}. You can find your API key at https://platform.openai.com/account/api-keys.`]
      : status === 429
        ? ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests']
        : ['server_error', null, 'The server had an error while processing your request. Sorry about that!']
  return {error: {message, type, param: null, code}}
}

function write(res: ServerResponse, text: string, chunkBytes?: number): Promise<void> {
  const bytes = Buffer.from(text, 'utf8')
  const size = chunkBytes && chunkBytes > 0 ? chunkBytes : bytes.length
  return new Promise<void>(resolve => {
    let offset = 0
    const next = () => {
      if (offset >= bytes.length || res.destroyed) return resolve()
      const piece = bytes.subarray(offset, offset + size)
      offset += size
      if (res.write(piece)) setImmediate(next)
      else res.once('drain', next)
    }
    next()
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}
