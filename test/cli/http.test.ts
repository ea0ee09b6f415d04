import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {meResponseSchema} from '../../src/contract/auth.js'
import {ApiClient} from '../../src/cli/kit/http/api-client.js'
import {StaticToken} from '../../src/cli/credentials/auth-session.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {backoffDelay, defaultRetryPolicy, isIdempotent, parseRetryAfter} from '../../src/cli/kit/http/retry.js'
import {assertSafeForTokens, isLoopbackHost} from '../../src/cli/kit/http/security.js'
import {HttpTransport} from '../../src/cli/kit/http/transport.js'

describe('Retry-After', () => {
  const now = Date.parse('2026-03-01T12:00:00Z')
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('30', now)).toBe(30_000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter(['7', '9'], now)).toBe(7000)
  })
  it('reads an HTTP date, and a date in the past means now', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:01:30 GMT', now)).toBe(90_000)
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0)
  })
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter('1.5', now)).toBeUndefined()
  })
})

describe('backoff', () => {
  it('grows exponentially, stays within [ceiling/2, ceiling] and never passes the maximum', () => {
    for (let retry = 1; retry <= 12; retry++) {
      const ceiling = Math.min(defaultRetryPolicy.maxDelayMs, defaultRetryPolicy.baseDelayMs * 2 ** (retry - 1))
      expect(backoffDelay(retry, defaultRetryPolicy, () => 0)).toBe(ceiling / 2)
      expect(backoffDelay(retry, defaultRetryPolicy, () => 0.999999)).toBeLessThanOrEqual(ceiling)
      expect(backoffDelay(retry, defaultRetryPolicy, () => 0.999999)).toBeLessThanOrEqual(defaultRetryPolicy.maxDelayMs)
    }
    expect(backoffDelay(2, defaultRetryPolicy, () => 0)).toBe(2 * backoffDelay(1, defaultRetryPolicy, () => 0))
  })
  it('retries only idempotent methods', () => {
    expect(['GET', 'HEAD', 'PUT', 'DELETE', 'get'].every(isIdempotent)).toBe(true)
    expect(['POST', 'PATCH'].some(isIdempotent)).toBe(false)
  })
})

describe('plain http to another machine', () => {
  it('knows loopback from everything else', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', '[::1]', '::1', '[::ffff:7f00:1]']) expect(isLoopbackHost(host), host).toBe(true)
    for (const host of ['10.0.0.1', '192.168.1.1', '128.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io', '[::2]', '[::ffff:a00:1]', '0.0.0.0']) {
      expect(isLoopbackHost(host), host).toBe(false)
    }
  })
  it('refuses tokens over plain http except to loopback, with a hint', () => {
    expect(() => assertSafeForTokens('https://clawd.example.com')).not.toThrow()
    expect(() => assertSafeForTokens('http://127.0.0.1:7420')).not.toThrow()
    expect(() => assertSafeForTokens('http://[::1]:7420')).not.toThrow()
    const error = (() => {
      try {
        assertSafeForTokens('http://clawd.example.com')
      } catch (e) {
        return e as CliError
      }
    })()
    expect(error).toBeInstanceOf(CliError)
    expect(error!.exitCode).toBe(2)
    expect(error!.message).toMatch(/plain http to clawd\.example\.com/)
    expect(error!.hint).toMatch(/https/)
  })
  it('never sends the request at all', async () => {
    const token = 'clawd_pat_' + 'x'.repeat(36)
    // .invalid never resolves: if the check were missing this would fail as unreachable, not as insecure.
    const client = new ApiClient('http://api.example.invalid', new HttpTransport({userAgent: 't', sleep: async () => {}}), new StaticToken(token))
    const error = await client.request('GET', '/v1/me', {schema: meResponseSchema}).catch((e) => e)
    expect(error.code).toBe('insecure_api')
    expect(error.message).not.toContain(token)
  })
})

/** A local HTTP server that answers from a script, one handler per request. */
async function scriptedServer(script: Array<(req: IncomingMessage, res: ServerResponse) => void>) {
  const seen: Array<{method: string; url: string; headers: IncomingMessage['headers']}> = []
  const server: Server = createServer((req, res) => {
    seen.push({method: req.method!, url: req.url!, headers: req.headers})
    req.resume()
    const step = script[Math.min(seen.length - 1, script.length - 1)]!
    step(req, res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  servers.push(server)
  return {url, seen}
}
const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

const problem = (status: number, code: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, {'content-type': 'application/problem+json', ...headers})
    res.end(JSON.stringify({type: 'about:blank', title: code, status, code, ...extra}))
  }
const ok = (body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, {'content-type': 'application/json'})
  res.end(JSON.stringify(body))
}

function transport() {
  const sleeps: number[] = []
  const http = new HttpTransport({userAgent: 'clawd/test', sleep: async (ms) => void sleeps.push(ms)})
  return {http, sleeps}
}

describe('HTTP transport retries', () => {
  it('retries a GET on 503 and 429, honouring Retry-After, and sends the User-Agent', async () => {
    const srv = await scriptedServer([problem(503, 'unavailable', {}, {'retry-after': '2'}), problem(429, 'rate_limited'), ok({fine: true})])
    const {http, sleeps} = transport()
    const res = await http.send({method: 'GET', url: srv.url + '/x'})
    expect(res.status).toBe(200)
    expect(srv.seen).toHaveLength(3)
    expect(sleeps[0]).toBe(2000)
    expect(sleeps[1]).toBeGreaterThan(0)
    expect(srv.seen[0]!.headers['user-agent']).toBe('clawd/test')
  })

  it('gives up after a bounded number of tries', async () => {
    const srv = await scriptedServer([problem(502, 'unavailable')])
    const {http, sleeps} = transport()
    const res = await http.send({method: 'GET', url: srv.url + '/x'})
    expect(res.status).toBe(502)
    expect(srv.seen).toHaveLength(defaultRetryPolicy.maxAttempts)
    expect(sleeps).toHaveLength(defaultRetryPolicy.maxAttempts - 1)
  })

  it('does not wait for a Retry-After longer than it is willing to', async () => {
    const srv = await scriptedServer([problem(503, 'unavailable', {}, {'retry-after': '3600'}), ok({})])
    const {http, sleeps} = transport()
    expect((await http.send({method: 'GET', url: srv.url + '/x'})).status).toBe(503)
    expect(sleeps).toEqual([])
  })

  it('never retries a POST, and says when to try again after a 429', async () => {
    const srv = await scriptedServer([problem(429, 'rate_limited', {detail: 'Too many requests.'}, {'retry-after': '30'}), ok({})])
    const {http, sleeps} = transport()
    const client = new ApiClient(srv.url, http, new StaticToken('clawd_pat_' + 'y'.repeat(36)))
    const error = await client.request('POST', '/v1/things', {body: {a: 1}, schema: meResponseSchema}).catch((e) => e)
    expect(srv.seen).toHaveLength(1)
    expect(sleeps).toEqual([])
    expect(error).toBeInstanceOf(CliError)
    expect(error.exitCode).toBe(6)
    expect(error.message).toBe('Too many requests.')
    expect(error.hint).toMatch(/Try again in 30 s/)
  })

  it('retries a GET on connection refused, then says the API is unreachable (exit 7)', async () => {
    const srv = await scriptedServer([ok({})])
    const url = srv.url
    await new Promise((r) => servers.pop()!.close(r))
    const {http, sleeps} = transport()
    const error = await http.send({method: 'GET', url: url + '/x'}).catch((e) => e)
    expect(error).toBeInstanceOf(CliError)
    expect(error.exitCode).toBe(7)
    expect(error.message).toContain(url)
    expect(sleeps).toHaveLength(defaultRetryPolicy.maxAttempts - 1)
  })
})

describe('API client', () => {
  const token = 'clawd_pat_' + 'z'.repeat(36)

  it('sends the bearer token and parses the body with the contract schema', async () => {
    const me = {id: 'usr_1', email: 'ada@example.com', plan: 'free', plan_allows: {name: 'free', messages_per_day: 50, concurrent_streams: 2, tools: false}, created_at: '2026-01-01T00:00:00Z', token: {id: 'tok_1', kind: 'pat', expires_at: null}}
    const srv = await scriptedServer([ok(me)])
    const {http} = transport()
    const client = new ApiClient(srv.url, http, new StaticToken(token))
    expect(await client.request('GET', '/v1/me', {schema: meResponseSchema})).toEqual(me)
    expect(srv.seen[0]!.headers.authorization).toBe(`Bearer ${token}`)
  })

  it('maps problem codes to exit codes, keeping detail and hint', async () => {
    const srv = await scriptedServer([problem(404, 'not_found', {detail: 'No such instance.', hint: 'See `clawd instance list`.'})])
    const {http} = transport()
    const error = await new ApiClient(srv.url, http, new StaticToken(token)).request('GET', '/v1/x', {schema: meResponseSchema}).catch((e) => e)
    expect({code: error.code, exit: error.exitCode, message: error.message, hint: error.hint}).toEqual({
      code: 'not_found',
      exit: 3,
      message: 'No such instance.',
      hint: 'See `clawd instance list`.',
    })
  })

  it('turns a body that breaks the contract into a clear error, not a crash', async () => {
    const srv = await scriptedServer([ok({something: 'else'})])
    const {http} = transport()
    const error = await new ApiClient(srv.url, http, new StaticToken(token)).request('GET', '/v1/me', {schema: meResponseSchema}).catch((e) => e)
    expect(error.code).toBe('unexpected_response')
    expect(error.hint).toMatch(/same version/)
  })

  it('handles an error page that is not problem+json', async () => {
    const srv = await scriptedServer([(_q, res) => res.writeHead(500, {'content-type': 'text/html'}).end('<h1>oops</h1>')])
    const {http} = transport()
    const error = await new ApiClient(srv.url, http, new StaticToken(token)).request('POST', '/v1/x', {body: {}, schema: meResponseSchema}).catch((e) => e)
    expect(error).toBeInstanceOf(CliError)
    expect(error.message).toMatch(/answered 500/)
  })

  it('refuses to call an authenticated route without a credential (exit 4)', async () => {
    const {http} = transport()
    const error = await new ApiClient('http://127.0.0.1:1', http, undefined).request('GET', '/v1/me', {schema: meResponseSchema}).catch((e) => e)
    expect(error.exitCode).toBe(4)
  })
})
