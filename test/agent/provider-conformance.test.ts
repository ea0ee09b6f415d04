import {describe, expect, it} from 'vitest'
import {anthropicProvider} from '../../src/agent/providers/anthropic.js'
import {openaiCompatibleProvider, openaiProvider} from '../../src/agent/providers/openai.js'
import {syntheticStream} from '../../src/agent/providers/throughput.js'
import type {ProviderDeps} from '../../src/agent/providers/types.js'
import {readExpected} from '../helpers/provider-server.js'
import {collect, fixturesFor, request, serveForTest} from './provider-helpers.js'

const KEY = 'sk-test-CANARY-conformance-0123456789'
const deps: ProviderDeps = {fetch, timing: {idleTimeoutMs: 2000, maxAttempts: 1}}

const cases = fixturesFor([
  [anthropicProvider, ['anthropic/basic', 'anthropic/cached-unicode', 'anthropic/thinking', 'anthropic/max-tokens']],
  [openaiProvider, ['openai/basic', 'openai/usage-details', 'openai/length']],
  // The last: OpenAI's own streams satisfy the tolerant flavour too.
  [openaiCompatibleProvider, ['openai-compatible/ollama', 'openai-compatible/openrouter', 'openai-compatible/minimal-server', 'openai/usage-details']],
])

describe('provider conformance: recorded streams replay to the recorded text and usage', () => {
  for (const {fixture, provider} of cases) {
    for (const chunkBytes of [undefined, 1, 5]) {
      it(`${provider.name} ← ${fixture}${chunkBytes ? ` (written ${chunkBytes} byte(s) at a time)` : ''}`, async () => {
        const server = await serveForTest({fixture, chunkBytes})
        const expected = readExpected(fixture)
        const result = await collect(provider.stream(request({baseUrl: server.baseUrl, apiKey: KEY}), deps))
        expect(result.error).toBeUndefined()
        expect(result.text).toBe(expected.text)
        expect(result.done).toEqual({type: 'done', stopReason: expected.stopReason, usage: expected.usage})
        expect(result.texts.length).toBeGreaterThan(1)
        expect(result.texts.every(t => t.length > 0)).toBe(true)
      })
    }
  }
})

describe('long streams', () => {
  it('a long synthetic stream served over HTTP arrives whole (as the bench uses it)', async () => {
    const server = await serveForTest({fixture: 'openai/basic', stream: syntheticStream('openai', 3000)})
    const result = await collect(openaiProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY}), deps))
    expect(result.error).toBeUndefined()
    expect(result.texts).toHaveLength(3000)
    expect(result.done?.usage.output_tokens).toBe(3000)
  })
})

describe('what reaches the provider', () => {
  it('anthropic: POST /v1/messages with x-api-key, anthropic-version and a streaming Messages body', async () => {
    const server = await serveForTest({fixture: 'anthropic/basic'})
    await collect(anthropicProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, maxTokens: 321}), deps))
    const [req] = server.requests
    expect(req!.method).toBe('POST')
    expect(req!.path).toBe('/v1/messages')
    expect(req!.headers['x-api-key']).toBe(KEY)
    expect(req!.headers.authorization).toBeUndefined()
    expect(req!.headers['anthropic-version']).toBe('2023-06-01')
    expect(req!.body).toEqual({
      model: 'test-model',
      max_tokens: 321,
      system: 'You are a test.',
      messages: [
        {role: 'user', content: 'first'},
        {role: 'assistant', content: 'reply'},
        {role: 'user', content: 'hello there'},
      ],
      stream: true,
    })
  })

  it('anthropic: a base URL given with /v1 does not double it', async () => {
    const server = await serveForTest({fixture: 'anthropic/basic'})
    await collect(anthropicProvider.stream(request({baseUrl: `${server.url}/v1/`, apiKey: KEY}), deps))
    expect(server.requests[0]!.path).toBe('/v1/messages')
  })

  it('openai: POST {base}/chat/completions with a Bearer key, system first, usage requested', async () => {
    const server = await serveForTest({fixture: 'openai/basic'})
    await collect(openaiProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, maxTokens: 99}), deps))
    const [req] = server.requests
    expect(req!.path).toBe('/v1/chat/completions')
    expect(req!.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(req!.headers['x-api-key']).toBeUndefined()
    expect(req!.body).toEqual({
      model: 'test-model',
      messages: [
        {role: 'system', content: 'You are a test.'},
        {role: 'user', content: 'first'},
        {role: 'assistant', content: 'reply'},
        {role: 'user', content: 'hello there'},
      ],
      stream: true,
      stream_options: {include_usage: true},
      max_completion_tokens: 99,
    })
  })

  it('openai-compatible: sends the key when there is one, no auth header when there is none, max_tokens', async () => {
    const server = await serveForTest({fixture: 'openai-compatible/ollama'})
    await collect(openaiCompatibleProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, maxTokens: 7}), deps))
    const empty = await collect(openaiCompatibleProvider.stream(request({baseUrl: server.baseUrl, apiKey: '', system: ''}), deps))
    expect(empty.error).toBeUndefined()
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`)
    expect((server.requests[0]!.body as {max_tokens: number}).max_tokens).toBe(7)
    expect(server.requests[1]!.headers.authorization).toBeUndefined()
    // No system prompt means no system message.
    expect((server.requests[1]!.body as {messages: Array<{role: string}>}).messages[0]!.role).toBe('user')
  })

  it('anthropic and openai refuse to call out without a key', async () => {
    const server = await serveForTest({fixture: 'anthropic/basic'})
    for (const provider of [anthropicProvider, openaiProvider]) {
      const result = await collect(provider.stream(request({baseUrl: server.baseUrl, apiKey: ''}), deps))
      expect(result.error?.code).toBe('no_key')
    }
    expect(server.requests).toHaveLength(0)
  })
})
