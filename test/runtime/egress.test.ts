import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {createServer as createHttpServer, type IncomingMessage, type Server as HttpServer} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import {connect, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createEgressFetch, EgressRefusedError} from '../../src/agent/egress-fetch.js'
import {allowMatcher, EgressProxy, type EgressRecord} from '../../src/runtime/egress-proxy.js'
import {echoServer, eventually, selfSignedCert} from './helpers.js'

describe('egress allow list', () => {
  it('matches host and host:port entries, case- and dot-insensitively', () => {
    const allowed = allowMatcher(['API.example.com:443', 'any.example.org', '127.0.0.1:8080', '[::1]:9000'])
    expect(allowed('api.example.com', 443)).toBe(true)
    expect(allowed('api.example.com.', 443)).toBe(true)
    expect(allowed('api.example.com', 80)).toBe(false)
    expect(allowed('evil-api.example.com', 443)).toBe(false)
    expect(allowed('any.example.org', 1)).toBe(true)
    expect(allowed('sub.any.example.org', 443)).toBe(false)
    expect(allowed('127.0.0.1', 8080)).toBe(true)
    expect(allowed('127.0.0.2', 8080)).toBe(false)
    expect(allowed('::1', 9000)).toBe(true)
    expect(allowed('[::1]', 9000)).toBe(true)
    expect(() => allowMatcher(['a:b:c'])).toThrow(/not host or host:port/)
  })
})

/** Opens a raw connection to the proxy socket and sends `head`; resolves with the socket and the first answer bytes. */
function rawRequest(socketPath: string, head: string): Promise<{socket: Socket; answer: string}> {
  return new Promise((resolve, reject) => {
    const socket = connect({path: socketPath})
    socket.once('error', reject)
    socket.once('connect', () => socket.write(head))
    socket.once('data', (data) => resolve({socket, answer: data.toString('latin1')}))
  })
}

describe('egress proxy and egress fetch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawd-egress-'))
  const socketPath = join(dir, 'egress.sock')
  const records: EgressRecord[] = []
  const cert = selfSignedCert()
  let proxy: EgressProxy
  let echo: Awaited<ReturnType<typeof echoServer>>
  let plain: HttpServer
  let plainPort = 0
  let secure: HttpServer | undefined
  let securePort = 0
  let lastPlainRequest: {url?: string; headers: IncomingMessage['headers']} | undefined
  let streamClosed = false

  /** One handler for both servers: JSON echo, gzip, a slow stream, a redirect. */
  const handler = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    lastPlainRequest = {url: req.url, headers: req.headers}
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.url === '/gzip') {
        res.writeHead(200, {'content-encoding': 'gzip', 'content-type': 'text/plain'})
        return res.end(gzipSync('decoded text'))
      }
      if (req.url === '/stream') {
        res.writeHead(200, {'content-type': 'text/event-stream'})
        res.write('data: one\n\n')
        res.on('close', () => (streamClosed = true))
        return // never ends by itself: the client must stream and abort
      }
      if (req.url === '/redirect') {
        res.writeHead(302, {location: '/echo?from=redirect'})
        return res.end()
      }
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify({method: req.method, url: req.url, body: Buffer.concat(chunks).toString(), auth: req.headers.authorization ?? null}))
    })
  }

  beforeAll(async () => {
    echo = await echoServer()
    plain = createHttpServer(handler)
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
    plainPort = (plain.address() as {port: number}).port
    if (cert) {
      secure = createHttpsServer({key: cert.key, cert: cert.cert}, handler)
      await new Promise<void>((resolve) => secure!.listen(0, '127.0.0.1', resolve))
      securePort = (secure.address() as {port: number}).port
    }
    proxy = new EgressProxy(
      {allow: [`127.0.0.1:${echo.port}`, `127.0.0.1:${plainPort}`, `localhost:${securePort || 1}`], maxConnectionsPerInstance: 3},
      (r) => records.push(r),
    )
    await proxy.open('ins_a', socketPath)
  })
  afterAll(async () => {
    await proxy.closeAll()
    await echo.close()
    plain.closeAllConnections()
    await new Promise((r) => plain.close(r))
    secure?.closeAllConnections()
    if (secure) await new Promise((r) => secure!.close(r))
    rmSync(dir, {recursive: true, force: true})
  })

  it('listens on a 0600 socket', () => {
    expect(statSync(socketPath).mode & 0o777).toBe(0o600)
  })

  it('tunnels CONNECT to an allowed host and counts the bytes', async () => {
    const {socket, answer} = await rawRequest(socketPath, `CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\nHost: 127.0.0.1:${echo.port}\r\n\r\n`)
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
    const echoed = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())))
    socket.write('hello through the tunnel')
    expect(await echoed).toBe('hello through the tunnel')
    socket.end()
    expect(await eventually(() => records.some((r) => r.kind === 'connect' && r.port === echo.port && r.bytesOut > 0))).toBe(true)
    const rec = records.find((r) => r.kind === 'connect' && r.port === echo.port)!
    expect(rec).toMatchObject({instanceId: 'ins_a', host: '127.0.0.1', allowed: true, status: 200, bytesOut: 24, bytesIn: 24})
    expect(rec.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('refuses CONNECT to a host that is not allowed with 403, and logs it', async () => {
    const {socket, answer} = await rawRequest(socketPath, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')
    socket.destroy()
    expect(answer).toMatch(/^HTTP\/1\.1 403 /)
    expect(answer).toContain('example.com:443 is not allowed')
    expect(records).toContainEqual(expect.objectContaining({kind: 'connect', host: 'example.com', port: 443, allowed: false, status: 403}))
    // Same host, another port: still refused (the allow entry names a port).
    const other = await rawRequest(socketPath, `CONNECT 127.0.0.1:${echo.port + 1} HTTP/1.1\r\n\r\n`)
    other.socket.destroy()
    expect(other.answer).toMatch(/^HTTP\/1\.1 403 /)
  })

  it('never dials a forbidden address, even for an allowed name that resolves to one (checked after DNS)', async () => {
    // The server passes isForbiddenAddress (link-local, metadata); here loopback stands in for it.
    const guarded = new EgressProxy({allow: ['localhost', '127.0.0.1'], forbidAddress: (a) => a === '127.0.0.1' || a === '::1'}, (r) => records.push(r))
    const guardedSocket = join(dir, 'guarded.sock')
    await guarded.open('ins_g', guardedSocket)
    try {
      for (const target of [`127.0.0.1:${echo.port}`, `localhost:${echo.port}`]) {
        const {socket, answer} = await rawRequest(guardedSocket, `CONNECT ${target} HTTP/1.1\r\n\r\n`)
        socket.destroy()
        expect(answer, target).not.toMatch(/^HTTP\/1\.1 200 /)
      }
      expect(await eventually(() => records.filter((r) => r.instanceId === 'ins_g' && r.status !== 200).length >= 2)).toBe(true)
      expect(records.some((r) => r.instanceId === 'ins_g' && r.status === 200)).toBe(false)
    } finally {
      await guarded.closeAll()
    }
  })

  it('refuses requests that are neither CONNECT nor absolute http', async () => {
    for (const head of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'GET https://127.0.0.1/ HTTP/1.1\r\n\r\n', 'garbage\r\n\r\n']) {
      const {socket, answer} = await rawRequest(socketPath, head)
      socket.destroy()
      expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    }
  })

  it('forwards absolute-form plain http with proxy headers removed', async () => {
    const fetch = createEgressFetch({socketPath})
    const res = await fetch(`http://127.0.0.1:${plainPort}/echo?x=1`, {
      method: 'POST',
      body: JSON.stringify({a: 1}),
      headers: {'content-type': 'application/json', 'proxy-authorization': 'Basic secret'},
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({method: 'POST', url: '/echo?x=1', body: '{"a":1}', auth: null})
    expect(lastPlainRequest!.headers['proxy-authorization']).toBeUndefined()
    expect(lastPlainRequest!.headers.connection).toBe('close')
    // Records are written when the connection closes.
    expect(await eventually(() => records.some((r) => r.kind === 'http' && r.port === plainPort && r.allowed && r.status === 200 && r.bytesIn > 0))).toBe(true)
  })

  it('refuses plain http to a host that is not allowed with a 403 that the fetch reports as a refusal', async () => {
    const {socket, answer} = await rawRequest(socketPath, 'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n')
    socket.destroy()
    expect(answer).toMatch(/^HTTP\/1\.1 403 /)
    expect(answer).toMatch(/x-clawd-egress: refused/i)
    const fetch = createEgressFetch({socketPath})
    const error = await fetch('http://example.com/').catch((e: unknown) => e)
    expect((error as TypeError).cause).toBeInstanceOf(EgressRefusedError)
    expect(((error as TypeError).cause as EgressRefusedError).target).toBe('example.com:80')
    expect(records).toContainEqual(expect.objectContaining({kind: 'http', host: 'example.com', port: 80, allowed: false}))
  })

  it('follows redirects like fetch', async () => {
    const fetch = createEgressFetch({socketPath})
    const res = await fetch(`http://127.0.0.1:${plainPort}/redirect`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as {url: string}).url).toBe('/echo?from=redirect')
    const manual = await fetch(`http://127.0.0.1:${plainPort}/redirect`, {redirect: 'manual'})
    expect(manual.status).toBe(302)
  })

  it('bounds concurrent connections per instance', async () => {
    const held: Socket[] = []
    for (let i = 0; i < 3; i++) {
      const {socket, answer} = await rawRequest(socketPath, `CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\n\r\n`)
      expect(answer).toMatch(/ 200 /)
      held.push(socket)
    }
    const {socket, answer} = await rawRequest(socketPath, `CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\n\r\n`)
    socket.destroy()
    expect(answer).toMatch(/^HTTP\/1\.1 429 /)
    for (const s of held) s.destroy()
    expect(await eventually(() => proxy.activeConnections('ins_a') === 0)).toBe(true)
  })

  describe.skipIf(!cert)('https through CONNECT', () => {
    it('fetches over TLS end to end, with a streaming body, gzip and abort', async () => {
      const fetch = createEgressFetch({socketPath, ca: cert!.cert})
      const res = await fetch(`https://localhost:${securePort}/echo`, {method: 'POST', body: 'secret-payload', headers: {authorization: 'Bearer sk-test'}})
      expect(await res.json()).toEqual({method: 'POST', url: '/echo', body: 'secret-payload', auth: 'Bearer sk-test'})
      expect(await eventually(() => records.some((r) => r.kind === 'connect' && r.host === 'localhost' && r.port === securePort && r.allowed && r.bytesIn > 0))).toBe(true)

      expect(await (await fetch(`https://localhost:${securePort}/gzip`)).text()).toBe('decoded text')

      const aborter = new AbortController()
      const streaming = await fetch(`https://localhost:${securePort}/stream`, {signal: aborter.signal})
      const reader = streaming.body!.getReader()
      const first = await reader.read()
      expect(Buffer.from(first.value!).toString()).toBe('data: one\n\n')
      aborter.abort()
      await expect(reader.read()).rejects.toThrow()
      expect(await eventually(() => streamClosed)).toBe(true)
    })

    it('checks certificates normally: an unknown CA or a wrong name fails', async () => {
      const untrusting = createEgressFetch({socketPath})
      await expect(untrusting(`https://localhost:${securePort}/echo`)).rejects.toMatchObject({name: 'TypeError', message: 'fetch failed'})
      const proxyAllowingIp = new EgressProxy({allow: [`127.0.0.1:${securePort}`]}, () => {})
      const other = join(dir, 'other.sock')
      await proxyAllowingIp.open('ins_b', other)
      try {
        const byIp = createEgressFetch({socketPath: other, ca: cert!.cert})
        await expect(byIp(`https://127.0.0.1:${securePort}/echo`)).rejects.toThrow('fetch failed')
      } finally {
        await proxyAllowingIp.closeAll()
      }
    })
  })

  it('rejects like fetch when the proxy refuses the tunnel', async () => {
    const fetch = createEgressFetch({socketPath})
    const error = await fetch('https://example.com/').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError).cause).toBeInstanceOf(EgressRefusedError)
    expect(((error as TypeError).cause as EgressRefusedError).status).toBe(403)
  })

  it('rejects with the abort reason when aborted before the answer', async () => {
    const fetch = createEgressFetch({socketPath})
    const aborter = new AbortController()
    aborter.abort(new Error('stop now'))
    await expect(fetch(`http://127.0.0.1:${plainPort}/echo`, {signal: aborter.signal})).rejects.toThrow('stop now')
  })

  it('fails cleanly when there is no proxy', async () => {
    const fetch = createEgressFetch({socketPath: join(dir, 'missing.sock')})
    await expect(fetch(`http://127.0.0.1:${plainPort}/echo`)).rejects.toThrow('fetch failed')
  })
})
