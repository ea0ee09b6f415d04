import {once} from 'node:events'
import {connect, createServer, type Server, type Socket} from 'node:net'

/**
 * An HTTP(S) proxy address for exec'd programs: a 127.0.0.1 port in the agent's own network
 * namespace (loopback only, no route out) that pipes each connection, byte for byte, to the
 * egress proxy's unix socket. The egress proxy speaks the proxy protocol itself (CONNECT for
 * https, absolute-form requests for http), checks the allow list and logs every connection, so
 * this adds nothing but the TCP address that HTTP_PROXY variables need.
 *
 * Started on the first exec, not at boot: an agent that never runs a command has no port open.
 */
export class ProxyForwarder {
  private server?: Server
  private listening?: Promise<string>
  private readonly sockets = new Set<Socket>()

  constructor(
    private readonly egressSocket: string,
    private readonly maxConnections = 32,
  ) {}

  url(): Promise<string> {
    this.listening ??= (async () => {
      const server = createServer((client) => this.forward(client))
      server.maxConnections = this.maxConnections
      this.server = server
      server.listen(0, '127.0.0.1').unref()
      await once(server, 'listening')
      return `http://127.0.0.1:${(server.address() as {port: number}).port}`
    })()
    return this.listening
  }

  private forward(client: Socket): void {
    const upstream = connect({path: this.egressSocket})
    for (const s of [client, upstream]) {
      this.sockets.add(s)
      s.once('close', () => this.sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    const server = this.server
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
