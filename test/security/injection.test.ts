import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {streamEventSchema} from '../../src/contract/stream.js'
import {signedUpClient} from '../auth/page-client.js'
import {collectSse} from '../helpers/sse.js'
import {expectProblem, expectWholeLogLines, rawExchange} from './http.js'
import {putKey, startWorld, type World} from './world.js'

/** The marker an injection would put on a line of its own: a header, a log line, an SSE field. */
const MARK = 'X-Injected'
/** Ways to end a line: CR/LF, a lone CR or LF, NEL, and the Unicode line and paragraph separators. */
const BREAKS = ['\r\n', '\n', '\r', '\u0085', '\u2028', '\u2029']
const hostileNames = BREAKS.map((b) => `evil${b}${MARK}: 1`)

/** The head of a raw HTTP answer: status line and headers, as the client's parser would see them. */
function head(raw: string): string[] {
  const end = raw.indexOf('\r\n\r\n')
  return (end < 0 ? raw : raw.slice(0, end)).split('\r\n')
}
const injected = (lines: string[]) => lines.filter((l) => l.toLowerCase().startsWith(MARK.toLowerCase()) || /set-cookie:\s*pwned/i.test(l))

/**
 * Header, log and stream injection through names: whatever a user puts in an instance, key or
 * token name, a session title or a message, no response grows a header, no server log line is
 * split, and no SSE event is forged; names that must be DNS-label-like are refused outright.
 */
describe('header, log and stream injection through names', () => {
  let w: World
  const token = () => w.alice.user.accessToken
  const base = () => `/v1/instances/${w.alice.instance.id}`
  /** A raw authenticated request; resolves with the whole answer as latin1 text. */
  const raw = (method: string, path: string, extra = '', body = '') =>
    rawExchange(
      w.server.url,
      Buffer.concat([
        Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token()}\r\nConnection: close\r\n`, 'latin1'),
        Buffer.from(extra, 'utf8'),
        Buffer.from(body ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` : '\r\n', 'utf8'),
      ]),
    )

  beforeAll(async () => {
    w = await startWorld()
  })
  afterAll(() => w?.dispose())

  it('names that must be labels refuse line breaks with a 400 problem: instance, model, key and token names', async () => {
    for (const name of hostileNames) {
      const tries = [
        await w.api(token(), 'POST', '/v1/instances', {body: {name}}),
        await w.api(token(), 'PATCH', base(), {body: {model: `dev/${name}`}}),
        await w.api(token(), 'POST', '/v1/tokens', {body: {name}}),
        await w.api(token(), 'PUT', `${base()}/keys/${encodeURIComponent(name)}`, {body: {kid: '0123456789abcdef'}}),
      ]
      for (const res of tries) {
        expectProblem(res, 400, JSON.stringify(name))
        for (const h of Object.keys(res.headers)) expect(h.toLowerCase()).not.toBe(MARK.toLowerCase())
      }
    }
    // Nothing was created or renamed on the way.
    const listed = await w.api(token(), 'GET', '/v1/instances')
    expect(listed.body.instances.map((i: {name: string}) => i.name)).toEqual([w.alice.instance.name])
    expect(JSON.stringify((await w.api(token(), 'GET', '/v1/tokens')).body)).not.toContain(MARK)
  })

  it('a key’s base URL with a line break, NUL, space or separator is refused, stores nothing, and keys set works after', async () => {
    const ref = w.alice.instance.id
    const before = (await w.api(token(), 'GET', `${base()}/keys`)).body
    for (const b of [...BREAKS, '\u0000', ' ', '\t']) {
      const url = `http://127.0.0.1:11434/v1${b}${MARK}: 1`
      const res = await putKey(w.server, token(), ref, 'ollama', 'sk-local-0123456789', url).catch((e: Error) => e)
      expect(res, JSON.stringify(url)).toBeInstanceOf(Error)
      expect((res as {exitCode?: number}).exitCode, `${JSON.stringify(url)}: ${(res as Error).message}`).toBe(2)
    }
    expect((await w.api(token(), 'GET', `${base()}/keys`)).body).toEqual(before)
    const ok = await putKey(w.server, token(), ref, 'ollama', 'sk-local-0123456789', 'http://127.0.0.1:11434/v1')
    expect(ok.base_url).toBe('http://127.0.0.1:11434/v1')
  })

  it('session titles may hold any text: it round-trips exactly, inside JSON, and never reaches a header', async () => {
    for (const title of hostileNames) {
      const made = await w.api(token(), 'POST', `${base()}/sessions`, {body: {title}})
      expect(made.status, made.text).toBe(201)
      expect(made.body.title).toBe(title)
      const answer = await raw('GET', `${base()}/sessions/${made.body.id}`)
      expect(answer.slice(0, 300)).toMatch(/^HTTP\/1\.1 200 /)
      expect(injected(head(answer))).toEqual([])
    }
    const listed = await raw('GET', `${base()}/sessions`)
    expect(injected(head(listed))).toEqual([])
  })

  it('a message that looks like SSE frames cannot forge events in the answer stream', async () => {
    const sid = (await w.api(token(), 'POST', `${base()}/sessions`, {body: {}})).body.id
    const forged = `hi\n\nid: 999\nevent: message.end\ndata: {"type":"message.end","stop_reason":"end_turn"}\n\n\r\ndata: {"type":"error"}\r\n\r\n\u2028${MARK}: 1`
    const res = await fetch(`${w.server.url}${base()}/sessions/${sid}/messages`, {
      method: 'POST',
      headers: {authorization: `Bearer ${token()}`, 'content-type': 'application/json'},
      body: JSON.stringify({content: forged}),
      signal: AbortSignal.timeout(30_000),
    })
    expect(res.status).toBe(200)
    expect([...res.headers.keys()].map((k) => k.toLowerCase())).not.toContain(MARK.toLowerCase())
    const events = await collectSse(res)
    for (const e of events) expect(streamEventSchema.safeParse(e.data).success, JSON.stringify(e.data)).toBe(true)
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1))
    expect(events.filter((e) => e.data.type === 'message.end')).toHaveLength(1)
    expect(events.filter((e) => e.data.type === 'error')).toEqual([])
    expect(events.at(-1)!.data.type).toBe('message.end')
    // The transcript keeps the message exactly as sent.
    const detail = await w.api(token(), 'GET', `${base()}/sessions/${sid}`)
    expect(detail.body.messages[0].content).toBe(forged)
  })

  it('encoded line breaks in a path are 404 problems with a clean head; raw bytes past ASCII never break the server', async () => {
    for (const path of [`/v1/instances/x%0d%0a${MARK}:%201`, `${base()}/sessions/%0d%0aSet-Cookie:%20pwned=1`, `${base()}/keys/%E2%80%A8${MARK}`]) {
      const answer = await raw('GET', path)
      expect(answer, path).toMatch(/^HTTP\/1\.1 404 /)
      expect(injected(head(answer)), path).toEqual([])
    }
    for (const path of [`/v1/instances/x\u2028${MARK}`, `/v1/me?q=\u0085${MARK}`]) {
      const answer = await raw('GET', path)
      expect(answer, JSON.stringify(path)).toMatch(/^HTTP\/1\.1 [1-4]\d\d /)
      expect(injected(head(answer))).toEqual([])
    }
    expect((await w.api(undefined, 'GET', '/healthz')).status).toBe(200)
  })

  it('a User-Agent with control characters is refused by the HTTP parser; one with separators reaches the access log as one printable line', async () => {
    // C0 controls are not allowed in a header value: Node's parser refuses the request itself.
    expect(await raw('GET', '/v1/me', `User-Agent: evil\u001b[2J\u0007${MARK}\r\n`)).toMatch(/^HTTP\/1\.1 400 /)
    // Bytes past ASCII are allowed (obs-text), and read as latin1: U+0085, U+2028 and U+009B sent
    // as UTF-8 arrive holding C1 control characters.
    const ua = `evil\u0085${MARK}\u2028: 1\t\u009b31m`
    const answer = await raw('GET', '/v1/me', `User-Agent: ${ua}\r\n`)
    expect(answer.slice(0, 300)).toMatch(/^HTTP\/1\.1 200 /)
    expect(injected(head(answer))).toEqual([])
    const logs = await w.api(token(), 'GET', '/v1/logs?limit=1000')
    if (logs.status === 404) return // no access log on this server yet
    expect(logs.status, logs.text).toBe(200)
    const clients = logs.body.entries.map((e: {client: string | null}) => e.client).filter((c: string | null) => c?.includes('evil'))
    expect(clients.length).toBeGreaterThan(0)
    for (const c of clients) expect(c, JSON.stringify(c)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
  })

  it('the device page shows a hostile User-Agent as text, not markup', async () => {
    const ua = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    const started = await fetch(`${w.server.url}/oauth/device_authorization`, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded', 'user-agent': ua},
      body: 'client_id=clawd-test',
    })
    expect(started.status).toBe(200)
    const grant = (await started.json()) as {user_code: string}
    const browser = await signedUpClient(w.server.url, `page-${Date.now().toString(36)}@example.com`, 'a-long-enough-password')
    const page = await browser.get(`/device?user_code=${encodeURIComponent(grant.user_code)}`)
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('<script>')
    expect(page.text).not.toContain('<img')
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('the server log: every line is one JSON object, and no line a request wrote was split', () => {
    const logs = w.server.logs()
    expectWholeLogLines(logs)
    expect(logs).not.toMatch(/\r/)
    for (const line of logs.split('\n')) expect(line.startsWith(MARK)).toBe(false)
    // Readers that split on every Unicode line break (Python's splitlines, many viewers) must not
    // see a request's NEL or line separator as the end of a log line: those are escaped in JSON.
    const unicodeBreaks = logs.split('\n').filter((l) => /[\u0085\u2028\u2029]/.test(l))
    expect(unicodeBreaks.map((l) => l.slice(0, 200))).toEqual([])
  })
})
