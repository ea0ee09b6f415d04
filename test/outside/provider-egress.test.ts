import {mkdtempSync, rmSync} from 'node:fs'
import type {IncomingHttpHeaders} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createEgressFetch, EgressRefusedError} from '../../src/agent/egress-fetch.js'
import {providerFetch} from '../../src/agent/provider-fetch.js'
import {anthropicProvider} from '../../src/agent/providers/anthropic.js'
import {openaiCompatibleProvider} from '../../src/agent/providers/openai.js'
import {EgressProxy, type EgressRecord} from '../../src/runtime/egress-proxy.js'
import {collect, request} from '../agent/provider-helpers.js'
import {localHttpServer, type LocalHttpServer} from '../helpers/http-server.js'

/** Issue 16 "testing from outside": a key must never follow a redirect, and an egress refusal is not a bad key. */

const CREDENTIALS = {
  authorization: 'Bearer sk-canary-authorization',
  'x-api-key': 'sk-ant-canary-x-api-key',
  'api-key': 'canary-azure-api-key',
  'x-goog-api-key': 'canary-goog',
  cookie: 'session=canary-cookie',
  'proxy-authorization': 'Basic canary-proxy',
  'x-custom-token': 'canary-custom',
}

interface Seen {
  url?: string
  headers: IncomingHttpHeaders
}

/** An egress proxy for one instance that allows `allow`, open for the enclosing describe; what it decided is in `records`. */
function useEgressProxy(instance: string, allow: string[]): {socketPath: string; records: EgressRecord[]} {
  const dir = mkdtempSync(join(tmpdir(), 'clawd-egress-'))
  const socketPath = join(dir, 'egress.sock')
  const records: EgressRecord[] = []
  let proxy: EgressProxy
  beforeAll(async () => {
    proxy = new EgressProxy({allow}, (r) => records.push(r))
    await proxy.open(instance, socketPath)
  })
  afterAll(async () => {
    await proxy.closeAll()
    rmSync(dir, {recursive: true, force: true})
  })
  return {socketPath, records}
}

describe('issue 16 item 1: a provider key never follows a redirect to another origin', () => {
  const {socketPath} = useEgressProxy('ins_redirect', ['127.0.0.1'])
  let source: LocalHttpServer
  let target: LocalHttpServer
  const atTarget: Seen[] = []

  beforeAll(async () => {
    target = await localHttpServer((req, res) => {
      atTarget.push({url: req.url, headers: req.headers})
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify({headers: req.headers}))
    })
    // Another origin: same host, another port.
    source = await localHttpServer((req, res) => {
      req.resume()
      res.writeHead(req.url?.startsWith('/v1/messages') ? 307 : 302, {location: `http://127.0.0.1:${target.port}/stolen?token=abc`})
      res.end()
    })
  })
  afterAll(async () => {
    for (const s of [source, target]) await s.close()
  })

  it('a redirect from a provider endpoint ends in an error naming the target, and the target sees nothing', async () => {
    const egress = createEgressFetch({socketPath})
    const before = atTarget.length
    const out = await collect(
      anthropicProvider.stream(request({baseUrl: `http://127.0.0.1:${source.port}`, apiKey: 'sk-ant-canary-redirected-key'}), {
        fetch: providerFetch(egress, 'anthropic'),
        timing: {maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1},
      }),
    )
    expect(out.error?.code).toBe('provider_connection')
    expect(out.error?.message).toContain(`redirected to http://127.0.0.1:${target.port}/stolen`)
    // Never the query of the Location header, which may carry a token.
    expect(out.error?.message).not.toContain('token=abc')
    expect(out.error?.message).not.toContain('sk-ant-canary')
    expect(out.error?.retryable).toBe(false)
    expect(atTarget.length).toBe(before)
  })

  it('wherever a redirect is followed, every credential header is dropped on a cross-origin hop', async () => {
    const egress = createEgressFetch({socketPath})
    const res = await egress(`http://127.0.0.1:${source.port}/anything`, {
      headers: {...CREDENTIALS, accept: 'application/json', 'user-agent': 'clawd-test'},
    })
    expect(res.status).toBe(200)
    const {headers} = (await res.json()) as {headers: IncomingHttpHeaders}
    for (const name of Object.keys(CREDENTIALS)) expect(headers[name], name).toBeUndefined()
    expect(JSON.stringify(headers)).not.toContain('canary')
    expect(headers.accept).toBe('application/json')
    expect(headers['user-agent']).toBe('clawd-test')
  })

  it('a same-origin redirect keeps the headers (only crossing an origin drops them)', async () => {
    const same = await localHttpServer((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, {location: '/end'})
        return res.end()
      }
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify({headers: req.headers}))
    })
    try {
      const egress = createEgressFetch({socketPath})
      const res = await egress(`http://127.0.0.1:${same.port}/start`, {headers: {'x-api-key': 'kept-on-same-origin'}})
      expect(((await res.json()) as {headers: IncomingHttpHeaders}).headers['x-api-key']).toBe('kept-on-same-origin')
    } finally {
      await same.close()
    }
  })
})

describe('issue 16 item 3: an egress refusal is not a bad key', () => {
  const {socketPath, records} = useEgressProxy('ins_refused', ['api.openai.com:443'])
  let local: LocalHttpServer
  let reached = 0

  beforeAll(async () => {
    // A local OpenAI-compatible server (Ollama, vLLM, LM Studio) the policy does not allow.
    local = await localHttpServer((req, res) => {
      reached++
      req.resume()
      res.writeHead(500)
      res.end()
    })
  })
  afterAll(() => local.close())

  it('plain http refused by the proxy rejects like fetch with EgressRefusedError, not a 403 from the host', async () => {
    const egress = createEgressFetch({socketPath})
    const error = await egress(`http://127.0.0.1:${local.port}/v1/chat/completions`, {method: 'POST', body: '{}'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError).cause).toBeInstanceOf(EgressRefusedError)
    expect(((error as TypeError).cause as EgressRefusedError).target).toBe(`127.0.0.1:${local.port}`)
    expect(reached).toBe(0)
  })

  it('the chat error names the refused HOST:PORT, --egress-allow and the user’s key name, with its own code and no retry', async () => {
    const egress = createEgressFetch({socketPath})
    const out = await collect(
      openaiCompatibleProvider.stream(request({baseUrl: `http://127.0.0.1:${local.port}/v1`, apiKey: 'sk-local-canary'}), {
        fetch: providerFetch(egress, 'ollama'),
        timing: {maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1},
      }),
    )
    expect(out.error?.code).toBe('egress_refused')
    expect(out.error?.message).toContain(`egress policy refused 127.0.0.1:${local.port}`)
    expect(out.error?.message).toContain('"ollama"')
    expect(out.error?.message).not.toMatch(/openai-compatible|rejected the API key/)
    expect(out.error?.hint).toContain(`--egress-allow 127.0.0.1:${local.port}`)
    expect(reached).toBe(0)
    // One refusal, not three: asking again cannot change the policy.
    expect(records.filter((r) => r.port === local.port && !r.allowed)).toHaveLength(2)
  })

  it('https refused at CONNECT gets the same error', async () => {
    const egress = createEgressFetch({socketPath})
    const out = await collect(
      openaiCompatibleProvider.stream(request({baseUrl: 'https://llm.internal.example:8443/v1', apiKey: ''}), {fetch: providerFetch(egress, 'vllm')}),
    )
    expect(out.error?.code).toBe('egress_refused')
    expect(out.error?.message).toContain('llm.internal.example:8443')
  })
})
