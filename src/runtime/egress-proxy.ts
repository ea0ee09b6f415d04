import {lookup as dnsLookup, type LookupAddress} from 'node:dns'
import {STATUS_CODES} from 'node:http'
import {connect as netConnect, isIP, type LookupFunction, type Socket} from 'node:net'
import {InstanceSockets} from './instance-sockets.js'

/**
 * The only way out of an instance whose network namespace has no route: an HTTP proxy the server
 * runs on one unix socket per instance (bind-mounted into the sandbox), so every connection is
 * attributed to exactly one instance.
 *
 * - `CONNECT host:port` opens a TCP tunnel (HTTPS stays end to end: the server never sees TLS
 *   contents);
 * - an absolute-form request (`GET http://host/path HTTP/1.1`) is forwarded to that host;
 * - only hosts in the allow list pass; anything else gets a 403. Every connection, allowed or
 *   not, is reported with its host, bytes and duration;
 * - connections per instance are bounded, and idle ones are cut.
 */
export interface EgressRecord {
  instanceId: string
  /** 'connect' for tunnels, 'http' for forwarded plain-http requests. */
  kind: 'connect' | 'http'
  host: string
  port: number
  allowed: boolean
  /** What the proxy answered: 200 tunnel open / forwarded, 403 not allowed, 429 too many, 400, 502. */
  status: number
  /** Bytes from the instance to the host, and from the host to the instance. */
  bytesOut: number
  bytesIn: number
  startedAt: number
  durationMs: number
  error?: string
}

export interface EgressPolicy {
  /** 'host' (any port) or 'host:port' ('[v6]:port' for IPv6 literals). Case-insensitive. */
  allow: readonly string[]
  maxConnectionsPerInstance?: number
  /** Bound on receiving the request head. */
  headTimeoutMs?: number
  connectTimeoutMs?: number
  /** A connection with no traffic in either direction for this long is closed. */
  idleTimeoutMs?: number
  /**
   * Addresses never to connect to, whatever name led there (link-local, cloud metadata). Checked
   * on the address actually dialled, after DNS, so a name that changes its answer later is caught.
   */
  forbidAddress?: (address: string) => boolean
}

const MAX_HEAD_BYTES = 16 * 1024
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'upgrade'])

/** Parses the allow list once into a matcher for (host, port). */
export function allowMatcher(entries: readonly string[]): (host: string, port: number) => boolean {
  const anyPort = new Set<string>()
  const exact = new Set<string>()
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase()
    if (!entry) continue
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
    const hostPort = /^([^:[\]]+):(\d+)$/.exec(entry)
    if (v6) {
      if (v6[2]) exact.add(`${v6[1]}|${Number(v6[2])}`)
      else anyPort.add(v6[1]!)
    } else if (hostPort) {
      exact.add(`${normaliseHost(hostPort[1]!)}|${Number(hostPort[2])}`)
    } else if (!entry.includes(':') || isIP(entry) === 6) {
      anyPort.add(normaliseHost(entry))
    } else {
      throw new Error(`egress allow entry "${raw}" is not host or host:port`)
    }
  }
  return (host, port) => {
    const h = normaliseHost(host)
    return anyPort.has(h) || exact.has(`${h}|${port}`)
  }
}

function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '')
}

export class EgressProxy {
  private readonly allowed: (host: string, port: number) => boolean
  /** Hosts one instance may reach on top of the shared list (a channel's API, issue 17). */
  private readonly extra = new Map<string, (host: string, port: number) => boolean>()
  private readonly sockets = new InstanceSockets()
  private readonly maxConnections: number
  private readonly headTimeoutMs: number
  private readonly connectTimeoutMs: number
  private readonly idleTimeoutMs: number
  private readonly forbidAddress: (address: string) => boolean

  constructor(
    policy: EgressPolicy,
    private readonly onRecord: (record: EgressRecord) => void,
  ) {
    this.allowed = allowMatcher(policy.allow)
    this.maxConnections = policy.maxConnectionsPerInstance ?? 16
    this.headTimeoutMs = policy.headTimeoutMs ?? 10_000
    this.connectTimeoutMs = policy.connectTimeoutMs ?? 10_000
    this.idleTimeoutMs = policy.idleTimeoutMs ?? 10 * 60_000
    this.forbidAddress = policy.forbidAddress ?? (() => false)
  }

  /** Sets the hosts `instanceId` alone may also reach (replacing earlier ones); [] removes them. */
  allowFor(instanceId: string, entries: readonly string[]): void {
    if (entries.length === 0) this.extra.delete(instanceId)
    else this.extra.set(instanceId, allowMatcher(entries))
  }

  private permits(instanceId: string, host: string, port: number): boolean {
    return this.allowed(host, port) || (this.extra.get(instanceId)?.(host, port) ?? false)
  }

  /** Starts the instance's proxy socket at `socketPath` (0600). Idempotent. */
  open(instanceId: string, socketPath: string): Promise<void> {
    return this.sockets.open(instanceId, socketPath, (client, open) => this.accept(instanceId, client, open))
  }

  /** Stops the instance's proxy and cuts its open connections. */
  close(instanceId: string): Promise<void> {
    return this.sockets.close(instanceId)
  }

  closeAll(): Promise<void> {
    return this.sockets.closeAll()
  }

  /** Open connections of one instance (for tests and `instance show`). */
  activeConnections(instanceId: string): number {
    return this.sockets.count(instanceId)
  }

  /** Serves one connection; false when it was refused (too many open). */
  private accept(instanceId: string, client: Socket, open: number): boolean {
    const startedAt = Date.now()
    if (open >= this.maxConnections) {
      this.refuse(client, 429, `at most ${this.maxConnections} connections per instance`)
      this.onRecord({instanceId, kind: 'connect', host: '', port: 0, allowed: false, status: 429, bytesOut: 0, bytesIn: 0, startedAt, durationMs: 0, error: 'too many connections'})
      return false
    }
    client.setTimeout(this.headTimeoutMs, () => client.destroy())

    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) {
          client.off('data', onData)
          this.refuse(client, 431, 'request head too large')
        }
        return
      }
      client.off('data', onData)
      client.pause()
      client.setTimeout(0)
      this.route(instanceId, client, head.subarray(0, end).toString('latin1'), head.subarray(end + 4), startedAt)
    }
    client.on('data', onData)
    return true
  }

  private route(instanceId: string, client: Socket, head: string, rest: Buffer, startedAt: number): void {
    const [requestLine = '', ...headerLines] = head.split('\r\n')
    const parts = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine)
    /** Answers `status` with `message`, and reports the refusal (nothing was dialled). */
    const deny = (message: string, fields: Pick<EgressRecord, 'kind' | 'host' | 'port' | 'status' | 'error'>) => {
      this.refuse(client, fields.status, message)
      this.onRecord({instanceId, bytesOut: 0, bytesIn: 0, startedAt, durationMs: Date.now() - startedAt, allowed: false, ...fields})
    }
    if (!parts) return deny('malformed request line', {kind: 'http', host: '', port: 0, status: 400, error: 'malformed request'})
    const [, method, target] = parts as unknown as [string, string, string]

    if (method === 'CONNECT') {
      const authority = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(target)
      const port = Number(authority?.[2])
      if (!authority || port < 1 || port > 65535) return deny('CONNECT needs host:port', {kind: 'connect', host: target.slice(0, 255), port: 0, status: 400, error: 'bad authority'})
      const host = normaliseHost(authority[1]!)
      if (!this.permits(instanceId, host, port)) return deny(`egress to ${host}:${port} is not allowed`, {kind: 'connect', host, port, status: 403})
      return this.pipe(instanceId, client, {kind: 'connect', host, port, startedAt, firstBytes: rest, tunnel: true})
    }

    let url: URL
    try {
      url = new URL(target)
    } catch {
      return deny('use CONNECT, or an absolute http:// URL', {kind: 'http', host: '', port: 0, status: 400, error: 'not absolute-form'})
    }
    if (url.protocol !== 'http:') {
      return deny('only http:// is forwarded; use CONNECT for https', {kind: 'http', host: normaliseHost(url.hostname), port: Number(url.port) || 0, status: 400, error: 'scheme'})
    }
    const host = normaliseHost(url.hostname)
    const port = Number(url.port || 80)
    if (!this.permits(instanceId, host, port)) return deny(`egress to ${host}:${port} is not allowed`, {kind: 'http', host, port, status: 403})
    const headers = headerLines.filter((line) => {
      const name = line.slice(0, line.indexOf(':')).trim().toLowerCase()
      return name !== '' && !HOP_BY_HOP.has(name)
    })
    if (!headers.some((line) => /^host\s*:/i.test(line))) headers.unshift(`Host: ${url.host}`)
    // One request per connection: the proxy never has to find where a response ends.
    const rewritten = [`${method} ${url.pathname}${url.search} HTTP/1.1`, ...headers, 'Connection: close', '', ''].join('\r\n')
    this.pipe(instanceId, client, {kind: 'http', host, port, startedAt, firstBytes: Buffer.concat([Buffer.from(rewritten, 'latin1'), rest]), tunnel: false})
  }

  private pipe(
    instanceId: string,
    client: Socket,
    c: {kind: EgressRecord['kind']; host: string; port: number; startedAt: number; firstBytes: Buffer; tunnel: boolean},
  ): void {
    const forbid = this.forbidAddress
    const guardedLookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, {...options, all: true}, (err, addresses) => {
        if (err) return callback(err, '', 0)
        const list = addresses as LookupAddress[]
        const bad = list.find((a) => forbid(a.address))
        if (bad) return callback(Object.assign(new Error(`${hostname} resolves to a forbidden address`), {code: 'EFORBIDDEN'}), '', 0)
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list)
        callback(null, list[0]!.address, list[0]!.family)
      })
    }
    if (isIP(c.host) && forbid(c.host)) {
      this.refuse(client, 403, `egress to ${c.host} is not allowed`)
      this.onRecord({instanceId, kind: c.kind, host: c.host, port: c.port, allowed: false, status: 403, bytesOut: 0, bytesIn: 0, startedAt: c.startedAt, durationMs: 0, error: 'forbidden address'})
      return
    }
    const upstream = netConnect({host: c.host, port: c.port, lookup: guardedLookup})
    let connected = false
    let error: string | undefined
    let reported = false
    const report = () => {
      if (reported) return
      reported = true
      this.onRecord({
        instanceId,
        kind: c.kind,
        host: c.host,
        port: c.port,
        allowed: true,
        status: connected ? 200 : 502,
        bytesOut: upstream.bytesWritten,
        bytesIn: upstream.bytesRead,
        startedAt: c.startedAt,
        durationMs: Date.now() - c.startedAt,
        ...(error ? {error} : {}),
      })
    }
    const connectTimer = setTimeout(() => upstream.destroy(new Error('connect timeout')), this.connectTimeoutMs)
    upstream.once('connect', () => {
      clearTimeout(connectTimer)
      connected = true
      if (c.tunnel) client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (c.firstBytes.length) upstream.write(c.firstBytes)
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
      for (const s of [client, upstream]) s.setTimeout(this.idleTimeoutMs, () => (client.destroy(), upstream.destroy()))
    })
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer)
      error ??= e.code ?? e.message
      if (!connected) this.refuse(client, 502, `could not reach ${c.host}:${c.port}`)
      else client.destroy()
    })
    client.once('close', () => upstream.destroy())
    upstream.once('close', () => {
      clearTimeout(connectTimer)
      if (connected) client.end()
      report()
    })
  }

  private refuse(client: Socket, status: number, message: string): void {
    const body = `${message}\n`
    // Marks the answer as the proxy's own, so the agent never reads it as the host's (a 403 would look like a bad key).
    const mark = status === 403 ? 'X-Clawd-Egress: refused\r\n' : ''
    client.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${mark}Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
    client.resume()
  }
}
