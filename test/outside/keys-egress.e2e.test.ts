import {randomBytes} from 'node:crypto'
import {createServer, type Server} from 'node:http'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'
import {startTestServer} from '../helpers/server.js'

type TestServer = Awaited<ReturnType<typeof startTestServer>>

/**
 * Issue 16 items 2, 3 and 9 at the real boundary: the built CLI against a real server, with the
 * server's default egress policy (only the public provider hosts).
 */
describe('keys and egress from outside (issue 16)', () => {
  let server: TestServer
  let user: TestUser
  let recorder: Server
  let recorderUrl = ''
  const uploads: Array<{path: string; body: string}> = []
  const config = tempDir('clawd-cfg-')
  let local: Server
  let localPort = 0
  let localHits = 0

  const cli = (args: string[], input?: string) =>
    runCli([...args, '--api', recorderUrl], {env: {CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: config.path}, input, timeoutMs: 60_000})
  const api = async (method: string, path: string, body?: string) => {
    const res = await fetch(server.url + path, {
      method,
      headers: {authorization: `Bearer ${user.accessToken}`, ...(body ? {'content-type': 'application/json'} : {})},
      body,
    })
    const text = await res.text()
    return {status: res.status, body: text ? JSON.parse(text) : undefined}
  }

  beforeAll(async () => {
    server = await startTestServer()
    user = await newUser(server)
    // A pass-through in front of the API that keeps each key upload exactly as the CLI sent it.
    recorder = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      const body = Buffer.concat(chunks)
      if (req.method === 'PUT' && req.url?.includes('/keys/')) uploads.push({path: req.url, body: body.toString()})
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>
      const upstream = await fetch(server.url + req.url, {method: req.method, headers, body: ['GET', 'HEAD'].includes(req.method!) ? undefined : body})
      const out: Record<string, string> = {}
      upstream.headers.forEach((v, k) => {
        if (!['content-encoding', 'transfer-encoding', 'connection', 'content-length'].includes(k)) out[k] = v
      })
      res.writeHead(upstream.status, out)
      if (upstream.body) for await (const c of upstream.body) res.write(c)
      res.end()
    })
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve))
    recorderUrl = `http://127.0.0.1:${(recorder.address() as {port: number}).port}`
    // A local OpenAI-compatible server (Ollama on the same machine), which the policy does not allow.
    local = createServer((req, res) => {
      localHits++
      req.resume()
      res.writeHead(500)
      res.end()
    })
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve))
    localPort = (local.address() as {port: number}).port
    const created = await cli(['instance', 'create', 'alpha', '--wait', '--json'])
    expect(created.code, created.stderr).toBe(0)
  }, 180_000)
  afterAll(async () => {
    recorder?.closeAllConnections()
    local?.closeAllConnections()
    await new Promise((r) => recorder?.close(r))
    await new Promise((r) => local?.close(r))
    await server?.dispose()
    config.dispose()
  })

  it('issue 16 item 2: a deleted key cannot come back by replaying its captured sealed upload', async () => {
    const secret = `sk-ant-canary-${randomBytes(8).toString('hex')}`
    const set = await cli(['keys', 'set', 'anthropic', '-i', 'alpha', '--json'], secret)
    expect(set.code, set.stderr).toBe(0)
    expect(json(set).version).toBe(1)
    const captured = uploads.at(-1)!
    expect(captured.path).toMatch(/\/keys\/anthropic$/)
    expect(captured.body).not.toContain(secret)

    const del = await cli(['keys', 'delete', 'anthropic', '-i', 'alpha', '--yes'])
    expect(del.code, del.stderr).toBe(0)

    const replay = await api('PUT', captured.path, captured.body)
    expect(replay.status, JSON.stringify(replay.body)).toBe(409)
    expect(replay.body.detail).toMatch(/not newer than version 1 .*deleted/)
    const listed = await cli(['keys', 'list', '-i', 'alpha', '--json'])
    expect(json(listed)).toMatchObject({keys: []})

    // `keys set` again works, above the deleted version; and that upload cannot be replayed after a delete either.
    const again = await cli(['keys', 'set', 'anthropic', '-i', 'alpha', '--json'], secret)
    expect(again.code, again.stderr).toBe(0)
    expect(json(again).version).toBe(2)
    const second = uploads.at(-1)!
    expect((await cli(['keys', 'delete', 'anthropic', '-i', 'alpha', '--yes'])).code).toBe(0)
    for (const old of [captured, second]) expect((await api('PUT', old.path, old.body)).status).toBe(409)
  })

  it('issue 16 item 3: keys set warns at once when the base URL is outside the egress policy', async () => {
    const set = await cli(['keys', 'set', 'ollama', '-i', 'alpha', '--base-url', `http://127.0.0.1:${localPort}/v1`], 'ollama-no-key')
    expect(set.code, set.stderr).toBe(0)
    expect(set.stderr).toContain(`egress policy refuses 127.0.0.1:${localPort}`)
    expect(set.stderr).toContain(`--egress-allow 127.0.0.1:${localPort}`)
    const asJson = await cli(['keys', 'set', 'ollama', '-i', 'alpha', '--base-url', `http://127.0.0.1:${localPort}/v1`, '--json'], 'ollama-no-key')
    expect(json(asJson).egress_refused).toBe(`127.0.0.1:${localPort}`)
  })

  it('issue 16 item 3: a chat refused by the egress policy says so, by the key’s name, exits 7, and the access log records a refusal', async () => {
    const chat = await cli(['chat', '-i', 'alpha', '--model', 'ollama/llama3', '-m', 'hello'])
    expect(chat.code, chat.stderr).toBe(7)
    expect(chat.stderr).toContain(`egress policy refused 127.0.0.1:${localPort}`)
    expect(chat.stderr).toContain('"ollama"')
    expect(chat.stderr).toContain(`--egress-allow 127.0.0.1:${localPort}`)
    expect(chat.stderr).not.toMatch(/rejected the API key|openai-compatible/)
    expect(localHits).toBe(0)

    const asJson = await cli(['chat', '-i', 'alpha', '--model', 'ollama/llama3', '-m', 'hello', '--json'])
    expect(asJson.code).toBe(7)
    const events = asJson.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(events.at(-1)).toMatchObject({type: 'error', code: 'egress_refused'})

    const logs = await cli(['logs', '--json'])
    const entries = json(logs).entries as Array<{event: string | null; detail: Record<string, unknown> | null}>
    expect(entries).toContainEqual(expect.objectContaining({event: 'egress.refused', detail: expect.objectContaining({host: '127.0.0.1', port: localPort})}))
  })

  it('issue 16 item 9: a chat with no key for its provider exits 3 (not found), not 1', async () => {
    const chat = await cli(['chat', '-i', 'alpha', '--model', 'openai/gpt-test', '-m', 'hello'])
    expect(chat.code, chat.stderr).toBe(3)
    expect(chat.stderr).toContain('clawd keys set openai')
  })

  it('issue 16 item 9: keys set openai with empty stdin names OPENAI_API_KEY, not another provider’s variable', async () => {
    for (const [name, variable] of [['openai', 'OPENAI_API_KEY'], ['anthropic', 'ANTHROPIC_API_KEY'], ['openrouter', 'OPENROUTER_API_KEY']] as const) {
      const args = ['keys', 'set', name, '-i', 'alpha', ...(name === 'openrouter' ? ['--base-url', 'https://openrouter.ai/api/v1'] : [])]
      const set = await cli(args, '')
      expect(set.code).toBe(2)
      expect(set.stderr).toContain(variable)
      for (const other of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENROUTER_API_KEY'].filter((v) => v !== variable)) expect(set.stderr).not.toContain(other)
    }
  })
})
