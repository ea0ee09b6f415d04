import {createServer, connect, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'

export interface CuttingProxy {
  url: string
  /** The next answer (POST …/messages) loses its connection after this many response bytes. */
  cutNextAnswerAfter(bytes: number): void
  /** How many connections were cut. */
  readonly cuts: number
  /** The Last-Event-ID of each resume request that passed through. */
  readonly resumes: string[]
  close(): Promise<void>
}

/**
 * A TCP proxy in front of the real API that can drop one answer's connection part-way, in the
 * middle of whatever bytes are flowing: a stand-in for a flaky network, for the resume test.
 */
export async function startCuttingProxy(target: string): Promise<CuttingProxy> {
  const {hostname, port} = new URL(target)
  let pendingCut: number | undefined
  let cuts = 0
  const resumes: string[] = []
  const sockets = new Set<Socket>()

  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    sockets.add(client).add(upstream)
    let cutAt: number | undefined
    let seen = 0
    const drop = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1', 0, Math.min(chunk.length, 4096))
      const request = /^(GET|POST) (\S+) HTTP\/1\.1\r\n/.exec(head)
      if (request?.[1] === 'POST' && request[2]!.endsWith('/messages') && pendingCut !== undefined) {
        cutAt = pendingCut
        pendingCut = undefined
        seen = 0
      }
      if (request?.[1] === 'GET' && request[2]!.endsWith('/events')) resumes.push(/\r\nlast-event-id: *([^\r]*)\r\n/i.exec(head)?.[1] ?? '')
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (cutAt !== undefined && seen + chunk.length >= cutAt) {
        client.write(chunk.subarray(0, cutAt - seen))
        cutAt = undefined
        cuts++
        drop()
        return
      }
      seen += chunk.length
      client.write(chunk)
    })
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.on('close', () => sockets.delete(client))
    upstream.on('close', () => sockets.delete(upstream))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cutNextAnswerAfter: (bytes) => void (pendingCut = bytes),
    get cuts() {
      return cuts
    },
    resumes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
