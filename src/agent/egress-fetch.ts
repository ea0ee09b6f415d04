import {once as onceEvent} from 'node:events'
import type {IncomingMessage} from 'node:http'
import {connect as netConnect, isIP, type Socket} from 'node:net'
import {Readable, type Transform} from 'node:stream'
import type {TLSSocket} from 'node:tls'
import type {AgentFetch} from './context.js'
import {http, tls, zlib} from './lean-builtins.js'

/**
 * A fetch for the agent that reaches the network only through its egress proxy's unix socket
 * (src/runtime/egress-proxy.ts), since the instance's own network namespace has no route out.
 *
 * - https: `CONNECT host:port` on the proxy socket, then TLS over that tunnel with normal SNI and
 *   certificate checks; the proxy only ever sees ciphertext.
 * - http: the absolute-form request (`GET http://host/path`) on the proxy socket.
 *
 * It returns WHATWG Responses with streaming bodies, honours AbortSignal and redirects like fetch,
 * decodes gzip/deflate/br, and rejects with `TypeError('fetch failed', {cause})` on network
 * errors (a refused host included) as fetch does. One connection per request: providers make one
 * long request per turn, so pooling would save little and complicate the tunnel.
 */
export interface EgressFetchOptions {
  socketPath: string
  /** Extra trusted CA certificates (tests with a self-signed server); default: Node's store. */
  ca?: string | Buffer | Array<string | Buffer>
  /** Bound on reaching the proxy, its CONNECT answer and the TLS handshake. */
  connectTimeoutMs?: number
  maxRedirects?: number
}

/** The proxy answered the CONNECT with something other than 200 (e.g. 403 for a host not allowed). */
export class EgressRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly target: string,
    reason: string,
  ) {
    super(`the egress proxy refused ${target}: ${status} ${reason}`)
    this.name = 'EgressRefusedError'
  }
}

/** The proxy's own refusals carry this header, so a refusal of plain http is not taken for the host's answer. */
export const EGRESS_REFUSED_HEADER = 'x-clawd-egress'

const MAX_HEAD_BYTES = 16 * 1024
/**
 * What a request may still carry after a redirect to another origin. An allow-list, not a list of
 * credential headers to drop: every provider names its key differently (authorization, x-api-key,
 * api-key, x-goog-api-key, cookie, proxy-authorization…), and a name nobody listed must not leak.
 */
const CROSS_ORIGIN_SAFE = new Set(['accept', 'accept-encoding', 'accept-language', 'cache-control', 'content-language', 'content-type', 'pragma', 'range', 'user-agent'])

function keepOnlyCrossOriginSafe(headers: Headers): void {
  for (const name of [...headers.keys()]) if (!CROSS_ORIGIN_SAFE.has(name)) headers.delete(name)
}
export const REDIRECTS = new Set([301, 302, 303, 307, 308])
const NULL_BODY = new Set([101, 204, 205, 304])
const DECODERS = new Map<string, (z: ReturnType<typeof zlib>) => Transform>([
  ['gzip', (z) => z.createGunzip()],
  ['x-gzip', (z) => z.createGunzip()],
  ['deflate', (z) => z.createInflate()],
  ['br', (z) => z.createBrotliDecompress()],
])

export function createEgressFetch(opts: EgressFetchOptions): AgentFetch {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 15_000
  const maxRedirects = opts.maxRedirects ?? 5

  return async function egressFetch(input: string, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init)
    const signal = init?.signal ?? undefined
    signal?.throwIfAborted()
    let body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined
    let url = new URL(request.url)
    let method = request.method
    const headers = new Headers(request.headers)
    for (let hop = 0; ; hop++) {
      const response = await once(url, method, headers, body, signal)
      const location = response.headers.get('location')
      if (!REDIRECTS.has(response.status) || !location || request.redirect === 'manual') return response
      await response.body?.cancel().catch(() => {})
      if (request.redirect === 'error') throw new TypeError('fetch failed', {cause: new Error(`redirected to ${location}`)})
      if (hop >= maxRedirects) throw new TypeError('fetch failed', {cause: new Error('too many redirects')})
      const next = new URL(location, url)
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET'
        body = undefined
        for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(h)
      }
      if (next.origin !== url.origin) keepOnlyCrossOriginSafe(headers)
      url = next
    }
  }

  function once(url: URL, method: string, headers: Headers, body: Buffer | undefined, signal?: AbortSignal): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const secure = url.protocol === 'https:'
      if (!secure && url.protocol !== 'http:') {
        return reject(new TypeError('fetch failed', {cause: new Error(`unsupported scheme ${url.protocol}`)}))
      }
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
      const port = Number(url.port || (secure ? 443 : 80))
      const outgoing: Record<string, string> = {}
      for (const [name, value] of headers) outgoing[name] = value
      outgoing.host ??= url.host
      outgoing.connection = 'close'
      if (body) outgoing['content-length'] = String(body.length)
      else if (method !== 'GET' && method !== 'HEAD') outgoing['content-length'] = '0'

      const fail = (error: unknown) => reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', {cause: error}))
      const req = http.request({
        method,
        // Absolute-form for plain http tells the proxy where to go; origin-form inside a tunnel.
        path: secure ? url.pathname + url.search : url.href,
        headers: outgoing,
        signal,
        createConnection: ((_: unknown, done: (error: Error | null, socket?: Socket) => void) => {
          const ready = secure ? tunnel(host, port, signal) : plain(signal)
          ready.then(
            (socket) => done(null, socket),
            (error: Error) => done(error),
          )
          return undefined
        }) as never,
      })
      req.once('error', fail)
      req.once('response', (res: IncomingMessage) => {
        req.off('error', fail)
        // Errors after this point surface through the body stream.
        req.on('error', () => {})
        if (!secure && res.statusCode === 403 && res.headers[EGRESS_REFUSED_HEADER] === 'refused') {
          // The proxy answered for a host it does not allow: the host itself never saw the request.
          res.resume()
          return fail(new EgressRefusedError(403, `${isIP(host) === 6 ? `[${host}]` : host}:${port}`, res.statusMessage ?? 'Forbidden'))
        }
        try {
          resolve(toResponse(res, method, url))
        } catch (error) {
          res.destroy()
          fail(error)
        }
      })
      req.end(body)
    })
  }

  /** A connection to the proxy, with a bound on reaching it. */
  function plain(signal?: AbortSignal): Promise<Socket> {
    return withTimeout(
      (async () => {
        const socket = netConnect({path: opts.socketPath})
        await onceEvent(socket, 'connect')
        return socket
      })(),
      connectTimeoutMs,
      signal,
      'the egress proxy did not answer',
      (late) => late.destroy(),
    )
  }

  /** CONNECT through the proxy, then TLS to the real host over the tunnel. */
  async function tunnel(host: string, port: number, signal?: AbortSignal): Promise<TLSSocket> {
    const target = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`
    const socket = await plain(signal)
    try {
      return await withTimeout(
        (async () => {
          socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`)
          const {status, reason, rest} = await readHead(socket)
          if (status !== 200) throw new EgressRefusedError(status, target, reason)
          // TLS takes over the socket's handle, so bytes already read would be lost; a proxy
          // sends nothing before the client's hello anyway.
          if (rest.length) throw new Error('the egress proxy sent data before the TLS handshake')
          const secure = tls().connect({
            socket,
            // `host` is what the certificate is checked against (else it would be "localhost");
            // SNI carries names only, never IP addresses.
            host,
            servername: isIP(host) ? undefined : host,
            ca: opts.ca,
            ALPNProtocols: ['http/1.1'],
          })
          await onceEvent(secure, 'secureConnect')
          return secure
        })(),
        connectTimeoutMs,
        signal,
        `no tunnel to ${target} in time`,
      )
    } catch (error) {
      socket.destroy()
      throw error
    }
  }
}

function toResponse(res: IncomingMessage, method: string, url: URL): Response {
  const status = res.statusCode ?? 502
  const headers = new Headers()
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!)
  let body: ReadableStream | null = null
  if (method === 'HEAD' || NULL_BODY.has(status)) {
    res.resume()
  } else {
    let stream: Readable = res
    const decoder = DECODERS.get(headers.get('content-encoding')?.trim().toLowerCase() ?? '')?.(zlib())
    if (decoder) {
      res.once('error', (error) => decoder.destroy(error))
      res.once('aborted', () => decoder.destroy(new Error('the connection closed mid-body')))
      stream = res.pipe(decoder)
    }
    body = Readable.toWeb(stream) as ReadableStream
  }
  const response = new Response(body, {status, statusText: res.statusMessage ?? '', headers})
  Object.defineProperty(response, 'url', {value: url.href})
  return response
}

/** Reads an HTTP response head from the socket; `rest` is whatever arrived after it. */
function readHead(socket: Socket): Promise<{status: number; reason: string; rest: Buffer}> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0)
    const cleanup = () => {
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.off('error', onError)
    }
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      const end = buffered.indexOf('\r\n\r\n')
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES) {
          cleanup()
          reject(new Error('the egress proxy sent an oversized answer'))
        }
        return
      }
      cleanup()
      socket.pause()
      const statusLine = buffered.subarray(0, buffered.indexOf('\r\n')).toString('latin1')
      const match = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine)
      if (!match) return reject(new Error('the egress proxy sent a malformed answer'))
      resolve({status: Number(match[1]), reason: match[2] ?? '', rest: buffered.subarray(end + 4)})
    }
    const onEnd = () => {
      cleanup()
      reject(new Error('the egress proxy closed the connection'))
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    socket.on('data', onData)
    socket.once('end', onEnd)
    socket.once('error', onError)
  })
}

/** `work` bounded in time and by the signal; a value that arrives too late goes to `dispose`. */
function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  message: string,
  dispose?: (late: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const timer = setTimeout(() => finish(new Error(message)), ms)
    const onAbort = () => finish(signal!.reason)
    const finish = (error?: unknown, value?: T) => {
      if (settled) {
        if (error === undefined && dispose) dispose(value as T)
        return
      }
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      if (error !== undefined) reject(error)
      else resolve(value as T)
    }
    if (signal?.aborted) return finish(signal.reason)
    signal?.addEventListener('abort', onAbort, {once: true})
    work.then(
      (value) => finish(undefined, value),
      (error) => finish(error ?? new Error(message)),
    )
  })
}
