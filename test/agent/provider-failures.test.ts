import {describe, expect, it} from 'vitest'
import {anthropicProvider} from '../../src/agent/providers/anthropic.js'
import {ProviderError} from '../../src/agent/providers/errors.js'
import {openaiCompatibleProvider, openaiProvider} from '../../src/agent/providers/openai.js'
import type {Provider, ProviderDeps, ProviderTiming} from '../../src/agent/providers/types.js'
import {freePort} from '../helpers/port.js'
import {readExpected, type ProviderServer, type ProviderServerOptions} from '../helpers/provider-server.js'
import {collect, request, serveForTest, type Collected} from './provider-helpers.js'

const KEY = 'sk-test-CANARY-failures-9876543210'
/** Short but generous bounds: every failure below must end well inside the test timeout. */
const timing: ProviderTiming = {idleTimeoutMs: 400, maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50, retryBudgetMs: 5000}
const TEST_TIMEOUT = 15_000

let server: ProviderServer | undefined

const wires: Array<{provider: Provider; fixture: string}> = [
  {provider: anthropicProvider, fixture: 'anthropic/basic'},
  {provider: openaiProvider, fixture: 'openai/basic'},
  {provider: openaiCompatibleProvider, fixture: 'openai-compatible/ollama'},
]

async function run(
  provider: Provider,
  options: ProviderServerOptions,
  extra: {timing?: Partial<ProviderTiming>; signal?: AbortSignal; onEvent?: Parameters<typeof collect>[1]} = {},
): Promise<Collected> {
  server = await serveForTest(options)
  const deps: ProviderDeps = {fetch, timing: {...timing, ...extra.timing}}
  const req = request({baseUrl: server.baseUrl, apiKey: KEY, ...(extra.signal ? {signal: extra.signal} : {})})
  const result = await collect(provider.stream(req, deps), extra.onEvent)
  if (result.error) {
    expect(result.error).toBeInstanceOf(ProviderError)
    // One line, and never the key (the 401 answers echo it on purpose).
    expect(result.error.message).not.toContain(KEY)
    expect(result.error.message).not.toContain('CANARY')
    expect(result.error.hint ?? '').not.toContain('CANARY')
    expect(result.error.message).not.toMatch(/\n/)
  }
  return result
}

describe.each(wires)('$provider.name failures end in a typed ProviderError', ({provider, fixture}) => {
  const itRetriesToTheFullAnswer = (failure: string, options: Omit<ProviderServerOptions, 'fixture'>) =>
    it(`${failure} → retried, then the full answer`, {timeout: TEST_TIMEOUT}, async () => {
      const r = await run(provider, {fixture, ...options})
      expect(r.error).toBeUndefined()
      expect(r.text).toBe(readExpected(fixture).text)
      expect(server!.requests).toHaveLength(2)
    })

  it('401 → provider_auth, not retried, provider text (which echoes the key) not shown', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: '401'})
    expect(r.error?.code).toBe('provider_auth')
    expect(r.error?.status).toBe(401)
    expect(r.error?.message).toMatch(new RegExp(`^${provider.name} rejected the API key`))
    expect(server!.requests).toHaveLength(1)
  })

  it('429 every time → provider_rate_limited after the bounded number of attempts', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: '429'})
    expect(r.error?.code).toBe('provider_rate_limited')
    expect(server!.requests).toHaveLength(timing.maxAttempts)
  })

  itRetriesToTheFullAnswer('429 once', {mode: '429', failTimes: 1, retryAfterSeconds: 0})

  it('429 asking for a longer wait than we allow → fails at once and says when to retry', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: '429', retryAfterSeconds: 120})
    expect(r.error?.code).toBe('provider_rate_limited')
    expect(r.error?.message).toContain('retry after 120 s')
    expect(r.error?.retryAfterMs).toBe(120_000)
    expect(server!.requests).toHaveLength(1)
  })

  it('500 every time → provider_unavailable after the bounded number of attempts', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: '500'})
    expect(r.error?.code).toBe('provider_unavailable')
    expect(r.error?.status).toBe(500)
    expect(server!.requests).toHaveLength(timing.maxAttempts)
  })

  it('529 overloaded twice → retried before the first token, then the full answer', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: '529', failTimes: 2})
    expect(r.error).toBeUndefined()
    expect(r.done?.usage).toEqual(readExpected(fixture).usage)
    expect(server!.requests).toHaveLength(3)
  })

  it('529 every time → provider_unavailable saying overloaded', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: '529'})
    expect(r.error?.code).toBe('provider_unavailable')
    expect(r.error?.message).toContain('overloaded')
  })

  it('malformed JSON after text → provider_bad_stream, text so far kept, never retried', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: 'malformed'})
    expect(r.error?.code).toBe('provider_bad_stream')
    expect(r.text.length).toBeGreaterThan(0)
    expect(readExpected(fixture).text.startsWith(r.text)).toBe(true)
    expect(server!.requests).toHaveLength(1)
  })

  it('malformed JSON before any text → provider_bad_stream (a broken stream is not retried)', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: 'malformed', cutAfter: 0})
    expect(r.error?.code).toBe('provider_bad_stream')
    expect(r.text).toBe('')
    expect(server!.requests).toHaveLength(1)
  })

  it('truncated stream (EOF mid-event, no terminal event) → provider_bad_stream', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: 'truncated'})
    expect(r.error?.code).toBe('provider_bad_stream')
    expect(r.done).toBeUndefined()
    expect(server!.requests).toHaveLength(1)
  })

  it('clean EOF between events, before message_stop / [DONE] / finish_reason → provider_bad_stream', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: 'eof', cutAfter: 5})
    expect(r.error?.code).toBe('provider_bad_stream')
    expect(r.error?.message).toMatch(/ended before/)
    expect(r.text.length).toBeGreaterThan(0)
  })

  it('dropped connection after text → provider_connection, never retried', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: 'drop'})
    expect(r.error?.code).toBe('provider_connection')
    expect(r.text.length).toBeGreaterThan(0)
    expect(server!.requests).toHaveLength(1)
  })

  itRetriesToTheFullAnswer('dropped connection before the first token', {mode: 'drop', cutAfter: 0, failTimes: 1})

  it('stall after text → provider_connection from the idle timeout, and the provider sees the request closed', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: 'stall'})
    expect(r.error?.code).toBe('provider_connection')
    expect(r.error?.message).toMatch(/sent nothing for/)
    expect(r.text.length).toBeGreaterThan(0)
    expect(server!.requests).toHaveLength(1)
    await server!.requests[0]!.closed
    expect(server!.requests[0]!.closedEarly).toBe(true)
  })

  it('stall before any text → retried within the bounded attempts, then provider_connection', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(provider, {fixture, mode: 'stall', cutAfter: 0}, {timing: {maxAttempts: 2}})
    expect(r.error?.code).toBe('provider_connection')
    expect(server!.requests).toHaveLength(2)
  })
})

describe('errors reported inside the stream', () => {
  it('anthropic overloaded_error before any text → retried, then the full answer', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(anthropicProvider, {fixture: ['anthropic/error-before-text', 'anthropic/basic']})
    expect(r.error).toBeUndefined()
    expect(r.text).toBe(readExpected('anthropic/basic').text)
    expect(server!.requests).toHaveLength(2)
  })

  it('anthropic overloaded_error after text → provider_unavailable, not retried', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(anthropicProvider, {fixture: ['anthropic/error-after-text', 'anthropic/basic']})
    expect(r.error?.code).toBe('provider_unavailable')
    expect(r.error?.message).toContain('overloaded')
    expect(r.text).toBe('Hello')
    expect(server!.requests).toHaveLength(1)
  })

  it('openai error chunk after text → provider_unavailable, not retried', {timeout: TEST_TIMEOUT}, async () => {
    const r = await run(openaiProvider, {fixture: ['openai/error-after-text', 'openai/basic']})
    expect(r.error?.code).toBe('provider_unavailable')
    expect(r.text).toBe('Partial answer')
    expect(server!.requests).toHaveLength(1)
  })
})

describe('retries never happen after the first token', () => {
  it('a failure after text is final even when attempts and budget remain', {timeout: TEST_TIMEOUT}, async () => {
    for (const mode of ['drop', 'stall', 'malformed', 'truncated', 'eof'] as const) {
      const r = await run(anthropicProvider, {fixture: 'anthropic/basic', mode, failTimes: 1}, {timing: {maxAttempts: 5}})
      expect(r.error, mode).toBeDefined()
      expect(server!.requests, mode).toHaveLength(1)
      await server!.close()
      server = undefined
    }
  })
})

describe('abort', () => {
  it('closes the HTTP request at the provider server mid-stream and ends with code aborted', {timeout: TEST_TIMEOUT}, async () => {
    const controller = new AbortController()
    const r = await run(
      anthropicProvider,
      {fixture: 'anthropic/basic', mode: 'stall', cutAfter: 4},
      {signal: controller.signal, timing: {idleTimeoutMs: 10_000}, onEvent: e => (e.type === 'text' ? controller.abort() : undefined)},
    )
    expect(r.error?.code).toBe('aborted')
    await server!.requests[0]!.closed
    expect(server!.requests[0]!.closedEarly).toBe(true)
  })

  it('aborts while waiting for the answer headers', {timeout: TEST_TIMEOUT}, async () => {
    server = await serveForTest({fixture: 'openai/basic', mode: 'stall', cutAfter: 0})
    const controller = new AbortController()
    const stream = openaiProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, signal: controller.signal}), {fetch, timing: {...timing, idleTimeoutMs: 10_000}})
    const pending = collect(stream)
    while (server.requests.length === 0) await new Promise(r => setTimeout(r, 5))
    controller.abort()
    const r = await pending
    expect(r.error?.code).toBe('aborted')
    await server.requests[0]!.closed
    expect(server.requests[0]!.closedEarly).toBe(true)
  })

  it('stops a retry backoff at once and sends no further request', {timeout: TEST_TIMEOUT}, async () => {
    const controller = new AbortController()
    server = await serveForTest({fixture: 'anthropic/basic', mode: '529'})
    const slowRetry: ProviderDeps = {fetch, timing: {...timing, baseDelayMs: 60_000, maxDelayMs: 60_000, retryBudgetMs: 120_000}}
    const pending = collect(anthropicProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, signal: controller.signal}), slowRetry))
    while (server.requests.length === 0) await new Promise(r => setTimeout(r, 5))
    await server.requests[0]!.closed
    controller.abort()
    const r = await pending
    expect(r.error?.code).toBe('aborted')
    expect(server.requests).toHaveLength(1)
  })

  it('an already aborted signal sends nothing', async () => {
    server = await serveForTest({fixture: 'anthropic/basic'})
    const r = await collect(
      anthropicProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, signal: AbortSignal.abort()}), {fetch, timing}),
    )
    expect(r.error?.code).toBe('aborted')
    expect(server.requests).toHaveLength(0)
  })

  it('a consumer that stops reading closes the request too', {timeout: TEST_TIMEOUT}, async () => {
    server = await serveForTest({fixture: 'openai/basic', mode: 'stall', cutAfter: 4})
    for await (const event of openaiProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY}), {fetch, timing: {...timing, idleTimeoutMs: 10_000}})) {
      if (event.type === 'text') break
    }
    await server.requests[0]!.closed
    expect(server.requests[0]!.closedEarly).toBe(true)
  })
})

describe('unreachable provider', () => {
  it('connection refused → provider_connection after bounded retries', {timeout: TEST_TIMEOUT}, async () => {
    const port = await freePort()
    const r = await collect(anthropicProvider.stream(request({baseUrl: `http://127.0.0.1:${port}`, apiKey: KEY}), {fetch, timing}))
    expect(r.error?.code).toBe('provider_connection')
    expect(r.error?.message).toMatch(/^could not reach anthropic/)
    expect(r.error?.message).not.toContain(KEY)
  })
})

describe('egress proxy refusal', () => {
  it('a host the egress proxy refuses → provider_connection, not retried', async () => {
    let calls = 0
    const refusingFetch = async () => {
      calls++
      const refusal = Object.assign(new Error('the egress proxy refused api.anthropic.com:443: 403 Forbidden'), {
        name: 'EgressRefusedError',
        status: 403,
      })
      throw new TypeError('fetch failed', {cause: refusal})
    }
    const r = await collect(anthropicProvider.stream(request({baseUrl: 'https://api.anthropic.com', apiKey: KEY}), {fetch: refusingFetch, timing}))
    expect(r.error?.code).toBe('provider_connection')
    expect(r.error?.message).toBe("the egress proxy does not allow anthropic's host (403)")
    expect(calls).toBe(1)
  })
})
