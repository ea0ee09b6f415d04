import {describe, expect, it} from 'vitest'
import {createDevProvider, DEV_SLOW_DELAY_MS, devProvider} from '../../src/agent/providers/dev.js'
import {devToolsCommand, devToolsNotePath} from '../../src/agent/providers/dev-tools.js'
import {openaiCompatibleProvider} from '../../src/agent/providers/openai.js'
import {ProviderError, errorFromStatus, parseRetryAfter, scrubSecrets} from '../../src/agent/providers/errors.js'
import {KNOWN_PROVIDERS} from '../../src/contract/core.js'
import {DEFAULT_BASE_URLS, createProviderRegistry, splitModelRef} from '../../src/agent/providers/registry.js'
import {retryDelay} from '../../src/agent/providers/retry.js'
import {measureProviderThroughput} from '../../src/agent/providers/throughput.js'
import {DEFAULT_TIMING, type FetchLike} from '../../src/agent/providers/types.js'
import {collect, request} from './provider-helpers.js'

/** Where dev/tools writes today (a daily note), and the command it runs on it. */
const NOTE = devToolsNotePath()
const COMMAND = devToolsCommand(NOTE)

const noNetwork: FetchLike = () => {
  throw new Error('the dev provider must not touch the network')
}

describe('dev provider', () => {
  const req = () => request({baseUrl: '', apiKey: '', messages: [{role: 'user', content: 'What is   the answer?'}]})

  it('streams a deterministic reply in several deltas that says it is the dev provider', async () => {
    const a = await collect(devProvider.stream(req(), {fetch: noNetwork}))
    const b = await collect(devProvider.stream(req(), {fetch: noNetwork}))
    expect(a.error).toBeUndefined()
    expect(a.texts).toEqual(b.texts)
    expect(a.texts.length).toBeGreaterThan(3)
    expect(a.text).toContain('dev provider')
    expect(a.text).toContain('What is the answer?')
    expect(a.done?.stopReason).toBe('end_turn')
    expect(a.done?.usage.input_tokens).toBeGreaterThan(0)
    expect(a.done?.usage.output_tokens).toBe(a.texts.length)
  })

  it('answers the last user message, even without one', async () => {
    const r = await collect(
      devProvider.stream(
        request({baseUrl: '', apiKey: '', messages: [{role: 'user', content: 'old'}, {role: 'assistant', content: 'x'}, {role: 'user', content: 'new'}]}),
        {fetch: noNetwork},
      ),
    )
    expect(r.text).toContain('"new"')
    expect(r.text).not.toContain('"old"')
    const none = await collect(devProvider.stream(request({baseUrl: '', apiKey: '', messages: []}), {fetch: noNetwork}))
    expect(none.text).toContain('dev provider')
  })

  it('stops with code aborted when the signal fires mid-reply', async () => {
    const controller = new AbortController()
    const r = await collect(devProvider.stream(request({baseUrl: '', apiKey: '', signal: controller.signal}), {fetch: noNetwork}), () =>
      controller.abort(),
    )
    expect(r.error?.code).toBe('aborted')
    expect(r.texts).toHaveLength(1)
    expect(r.done).toBeUndefined()
  })

  it('can pace its deltas for demos and interrupt tests', async () => {
    const slow = createDevProvider({deltaDelayMs: 1})
    const r = await collect(slow.stream(req(), {fetch: noNetwork}))
    expect(r.text).toBe((await collect(devProvider.stream(req(), {fetch: noNetwork}))).text)
  })
})

describe('registry', () => {
  it('holds the four providers by name and accepts overrides', () => {
    const registry = createProviderRegistry()
    expect([...registry.keys()].sort()).toEqual([...KNOWN_PROVIDERS].sort())
    const slowDev = createDevProvider({deltaDelayMs: 5})
    expect(createProviderRegistry([slowDev]).get('dev')).toBe(slowDev)
    expect(DEFAULT_BASE_URLS.anthropic).toBe('https://api.anthropic.com')
    expect(DEFAULT_BASE_URLS.openai).toBe('https://api.openai.com/v1')
  })

  it('splits provider/model refs, keeping slashes in the model', () => {
    expect(splitModelRef('anthropic/claude-sonnet-4-5')).toEqual({provider: 'anthropic', model: 'claude-sonnet-4-5'})
    expect(splitModelRef('openai-compatible/meta-llama/llama-3.3-70b')).toEqual({
      provider: 'openai-compatible',
      model: 'meta-llama/llama-3.3-70b',
    })
    expect(splitModelRef('nomodel')).toBeUndefined()
    expect(splitModelRef('/x')).toBeUndefined()
    expect(splitModelRef('x/')).toBeUndefined()
  })
})

describe('base URL', () => {
  it('a missing base URL fails with a message that says how to set one, without a request', async () => {
    const r = await collect(openaiCompatibleProvider.stream(request({baseUrl: '', apiKey: ''}), {fetch: noNetwork}))
    expect(r.error?.message).toBe('no base URL is set for openai-compatible')
    expect(r.error?.hint).toContain('--base-url')
  })
})

describe('retry policy', () => {
  const timing = {...DEFAULT_TIMING, baseDelayMs: 100, maxDelayMs: 1000}

  it('backs off exponentially with jitter, capped', () => {
    expect(retryDelay(1, timing, () => 0)).toBe(50)
    expect(retryDelay(1, timing, () => 0.999)).toBeLessThanOrEqual(100)
    expect(retryDelay(3, timing, () => 0)).toBe(200)
    expect(retryDelay(10, timing, () => 0.999)).toBeLessThanOrEqual(1000)
  })

  it('waits at least what retry-after asks, and gives up when it asks for more than the cap', () => {
    expect(retryDelay(1, timing, () => 0, 700)).toBe(700)
    expect(retryDelay(1, timing, () => 0, 1001)).toBeUndefined()
  })

  it('reads retry-after-ms, retry-after seconds and HTTP dates', () => {
    expect(parseRetryAfter(new Headers({'retry-after-ms': '250'}))).toBe(250)
    expect(parseRetryAfter(new Headers({'retry-after': '3'}))).toBe(3000)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter(new Headers({'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT'}), now)).toBe(10_000)
    expect(parseRetryAfter(new Headers({'retry-after': 'soon'}))).toBeUndefined()
    expect(parseRetryAfter(new Headers())).toBeUndefined()
  })
})

describe('error messages keep secrets out', () => {
  const key = 'sk-live-SECRET-abcdefghijklmnop'

  it('scrubs the key, key-shaped strings and bearer tokens from provider text', () => {
    const text = `bad key ${key} and sk-proj-****wxyz, header Bearer abc.def\nsecond line`
    const out = scrubSecrets(text, key)
    expect(out).not.toContain('SECRET')
    expect(out).not.toContain('wxyz')
    expect(out).not.toContain('abc.def')
    expect(out).not.toContain('\n')
  })

  it('quotes a rejected request briefly, without the key the provider echoed', () => {
    const body = JSON.stringify({error: {type: 'invalid_request_error', code: 'model_not_found', message: `The model x does not exist for key ${key}`}})
    const error = errorFromStatus('openai', 404, new Headers(), body, key)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error.message).toContain('openai refused the request (404')
    expect(error.message).toContain('does not exist')
    expect(error.message).not.toContain('SECRET')
    expect(error.retryable).toBe(false)
  })
})

describe('throughput measurement for the bench', () => {
  it('counts every event of a long stream through each wire format', async () => {
    for (const wire of ['anthropic', 'openai'] as const) {
      const result = await measureProviderThroughput({wire, deltas: 2000, chunkBytes: 777})
      expect(result.events).toBe(2001)
      expect(result.eventsPerSecond).toBeGreaterThan(0)
      expect(result.bytes).toBeGreaterThan(2000 * 50)
    }
  })
})

describe('dev/slow and dev/tools', () => {
  const tools = ['read', 'write', 'exec'].map((name) => ({name, description: name, parameters: {type: 'object'}}))

  it('dev/slow paces its deltas (DEV_SLOW_DELAY_MS apart) whatever the server setting, with the same text as dev/echo', async () => {
    const started = performance.now()
    const slow = await collect(devProvider.stream(request({baseUrl: '', apiKey: '', model: 'slow', messages: [{role: 'user', content: 'hi'}]}), {fetch: noNetwork}))
    const elapsed = performance.now() - started
    const echo = await collect(devProvider.stream(request({baseUrl: '', apiKey: '', model: 'slow', messages: [{role: 'user', content: 'hi'}]}), {fetch: noNetwork}))
    expect(slow.text).toBe(echo.text)
    expect(elapsed).toBeGreaterThanOrEqual(slow.texts.length * DEV_SLOW_DELAY_MS * 0.9)
  })

  it('dev/tools asks for write first, with the note and the user’s words, and stops with tool_use', async () => {
    const r = await collect(devProvider.stream(request({baseUrl: '', apiKey: '', model: 'tools', tools, messages: [{role: 'user', content: 'keep this'}]}), {fetch: noNetwork}))
    expect(r.toolCalls).toHaveLength(1)
    expect(r.toolCalls[0]!.name).toBe('write')
    expect(JSON.parse(r.toolCalls[0]!.input)).toEqual({path: NOTE, content: expect.stringContaining('keep this')})
    expect(r.done?.stopReason).toBe('tool_use')
  })

  it('dev/tools with no tools offered answers in text that it may not use any, and calls nothing', async () => {
    const r = await collect(devProvider.stream(request({baseUrl: '', apiKey: '', model: 'tools', messages: [{role: 'user', content: 'x'}]}), {fetch: noNetwork}))
    expect(r.toolCalls).toEqual([])
    expect(r.text).toMatch(/may not use any tools/)
    expect(r.done?.stopReason).toBe('end_turn')
  })
})
