import {randomBytes} from 'node:crypto'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openDataDirStore} from '../helpers/stores.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {readExpected, startProviderServer, type ProviderServer} from '../helpers/provider-server.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {collectSse, readSse} from '../helpers/sse.js'

/**
 * The heart of the product, end to end: the API and a real instance (bwrap when available) in
 * front of a local provider server that replays a recorded Anthropic stream.
 */
describe('streamed sessions through the gateway', () => {
  let provider: ProviderServer
  let server: ServerProcess
  let user: TestUser
  let instanceId: string
  const canary = `sk-ant-canary-${randomBytes(12).toString('hex')}`
  const responses: string[] = []
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) => {
    const res = await fetch(server.url + path, {
      method,
      signal,
      headers: {authorization: `Bearer ${user.accessToken}`, ...(body ? {'content-type': 'application/json'} : {}), ...headers},
      body: body ? JSON.stringify(body) : undefined,
    })
    return res
  }
  const cli = (args: string[], input?: string) =>
    runCli(args, {input, env: {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli')}})

  beforeAll(async () => {
    provider = await startProviderServer({fixture: 'anthropic/basic', eventDelayMs: 5})
    // Every provider server in this file listens on 127.0.0.1, on ports picked at run time.
    server = await startServerProcess({
      args: ['--provider-url', `anthropic=${provider.url}`, '--egress-allow', '127.0.0.1', '--stream-grace', '1s'],
    })
    user = await newUser({url: server.url, adminSocket: join(server.dataDir, 'admin.sock')})
    const created = await cli(['instance', 'create', 'chatty', '--wait', '--model', 'anthropic/claude-test', '--json'])
    expect(created.code, created.stderr).toBe(0)
    instanceId = json(created).id
    const set = await cli(['keys', 'set', 'anthropic', '--json'], canary + '\n')
    expect(set.code, set.stderr).toBe(0)
    responses.push(created.stdout, set.stdout)
  })
  afterAll(async () => {
    await server?.stop()
    await provider?.close()
  })

  async function newSession(): Promise<string> {
    const res = await api('POST', `/v1/instances/${instanceId}/sessions`, {})
    const text = await res.text()
    responses.push(text)
    expect(res.status, text).toBe(201)
    return JSON.parse(text).id
  }

  it('streams the recorded text and usage in order, with the sealed key in the provider’s auth header', async () => {
    const sid = await newSession()
    const res = await api('POST', `/v1/instances/${instanceId}/sessions/${sid}/messages`, {content: 'hi'})
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = await collectSse(res)
    responses.push(JSON.stringify(events))
    const types = events.map((e) => e.data.type)
    expect(types[0]).toBe('session')
    expect(types[1]).toBe('message.start')
    expect(types.at(-1)).toBe('message.end')
    expect(new Set(types.slice(2, -1))).toEqual(new Set(['text.delta']))
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1))
    const expected = readExpected('anthropic/basic')
    expect(events.filter((e) => e.data.type === 'text.delta').map((e) => e.data.text).join('')).toBe(expected.text)
    expect(events.at(-1)!.data).toMatchObject({stop_reason: 'end_turn', usage: expected.usage})

    const last = provider.requests.at(-1)!
    expect(last.headers['x-api-key']).toBe(canary)
    expect((last.body as any).system).toContain('# Project Context')

    const detail = await (await api('GET', `/v1/instances/${instanceId}/sessions/${sid}`)).json()
    responses.push(JSON.stringify(detail))
    expect(detail.messages.map((m: any) => m.role)).toEqual(['user', 'assistant'])
    expect(detail.messages[1]).toMatchObject({content: expected.text, usage: expected.usage})
    expect(detail.usage).toEqual(expected.usage)
  })

  it('replays what a client missed from Last-Event-ID, without doubling or dropping a delta', async () => {
    const sid = await newSession()
    const events = await collectSse(await api('POST', `/v1/instances/${instanceId}/sessions/${sid}/messages`, {content: 'again'}))
    const mid = events[1]!.data.message_id
    const replay = await collectSse(await api('GET', `/v1/instances/${instanceId}/sessions/${sid}/messages/${mid}/events`, undefined, {'last-event-id': '3'}))
    expect(replay.map((e) => e.id)).toEqual(events.slice(3).map((e) => e.id))
    expect(replay.map((e) => e.data)).toEqual(events.slice(3).map((e) => e.data))
  })

  it('a client that disconnects stops the provider call (after the resume grace)', async () => {
    const slow = await startProviderServer({fixture: 'anthropic/basic', eventDelayMs: 400})
    try {
      // A per-key base URL points this instance's anthropic key at the slow server.
      const set = await cli(['keys', 'set', 'anthropic', '--base-url', slow.url, '--json'], canary)
      expect(set.code, set.stderr).toBe(0)
      const sid = await newSession()
      const abort = new AbortController()
      const res = await api('POST', `/v1/instances/${instanceId}/sessions/${sid}/messages`, {content: 'slowly'}, {}, abort.signal)
      const reader = readSse(res)
      let sawDelta = false
      for await (const e of reader) {
        if (e.data.type === 'text.delta') {
          sawDelta = true
          break
        }
      }
      expect(sawDelta).toBe(true)
      abort.abort()
      const req = slow.requests.at(-1)!
      await Promise.race([req.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('provider call not stopped')), 10_000))])
      expect(req.closedEarly).toBe(true)
    } finally {
      await cli(['keys', 'set', 'anthropic', '--json'], canary)
      await slow.close()
    }
  })

  it('a provider failure ends the stream with an error event, and the CLI exits non-zero', async () => {
    const failing = await startProviderServer({fixture: 'anthropic/basic', mode: '401'})
    try {
      expect((await cli(['keys', 'set', 'anthropic', '--base-url', failing.url], canary)).code).toBe(0)
      const sid = await newSession()
      const events = await collectSse(await api('POST', `/v1/instances/${instanceId}/sessions/${sid}/messages`, {content: 'x'}))
      expect(events.at(-1)!.data).toMatchObject({type: 'error', code: 'provider_auth'})
      expect(JSON.stringify(events)).not.toContain(canary)
    } finally {
      await cli(['keys', 'set', 'anthropic'], canary)
      await failing.close()
    }
  })

  it('the 51st message of the day on the free plan (50) exits 6 and says when the limit resets', async () => {
    const other = await newUser({url: server.url, adminSocket: join(server.dataDir, 'admin.sock')})
    const env = {CLAWD_API_URL: server.url, CLAWD_TOKEN: other.accessToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli-quota')}
    const created = await runCli(['instance', 'create', 'quota', '--wait', '--model', 'dev/echo', '--json'], {env})
    expect(created.code, created.stderr).toBe(0)
    const ref = json(created).id
    const headers = {authorization: `Bearer ${other.accessToken}`, 'content-type': 'application/json'}
    const sid = (await (await fetch(`${server.url}/v1/instances/${ref}/sessions`, {method: 'POST', headers, body: '{}'})).json()).id
    for (let i = 1; i <= 50; i++) {
      const res = await fetch(`${server.url}/v1/instances/${ref}/sessions/${sid}/messages`, {method: 'POST', headers, body: JSON.stringify({content: `message ${i}`})})
      expect(res.status, `message ${i}`).toBe(200)
      await collectSse(res)
    }
    const fiftyFirst = await runCli(['chat', '-m', 'one more', '--session', sid], {env})
    expect(fiftyFirst.code).toBe(6)
    const tomorrow = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1))
    expect(fiftyFirst.stderr).toContain(tomorrow.toISOString())
    expect(fiftyFirst.stderr).toMatch(/50 messages a day/)
  })

  it('the canary key appears nowhere: not in the database, the logs, any response, or any file under the data dir', async () => {
    await server.stop()
    const hay = [server.output(), ...responses]
    for (const text of hay) expect(text.includes(canary)).toBe(false)
    const files: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name)
        const st = statSync(p, {throwIfNoEntry: false})
        if (!st) continue
        if (st.isDirectory()) walk(p)
        else if (st.isFile()) files.push(p)
      }
    }
    walk(server.dataDir)
    expect(files.length).toBeGreaterThan(5)
    const needle = Buffer.from(canary)
    for (const f of files) expect(readFileSync(f).includes(needle), f).toBe(false)
    const db = await openDataDirStore(server.dataDir)
    try {
      const tables = await db.query<{tablename: string}>(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
      expect(tables.length).toBeGreaterThan(5)
      for (const {tablename} of tables) {
        const rows = await db.query(`SELECT * FROM ${tablename}`)
        expect(JSON.stringify(rows).includes(canary), tablename).toBe(false)
      }
    } finally {
      await db.close()
    }
    server = await startServerProcess({dataDir: server.dataDir})
  })
})
