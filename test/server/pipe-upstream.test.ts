import {createServer, type ServerResponse} from 'node:http'
import {connect} from 'node:net'
import {once} from 'node:events'
import {afterEach, describe, expect, it} from 'vitest'
import {pipeUpstream} from '../../src/server/gateway.js'

/**
 * The gateway's copy loop, on a real socket: a client that stops reading fills the buffers, and
 * when it then goes away the copy must end (false), or the request, and the stream slot it holds,
 * would wait for a 'drain' that never comes.
 */
describe('pipeUpstream', () => {
  const servers: ReturnType<typeof createServer>[] = []
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
  })

  it('ends with false when a client that stopped reading goes away mid-copy', async () => {
    let pulled = 0
    async function* endless() {
      for (;;) {
        pulled++
        yield Buffer.alloc(256 * 1024, 0x61)
      }
    }
    let response: ServerResponse | undefined
    let copied: Promise<boolean> | undefined
    const server = createServer((_req, res) => {
      response = res
      res.writeHead(200, {'content-type': 'text/event-stream'})
      copied = pipeUpstream(endless(), res)
    })
    servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const {port} = server.address() as {port: number}

    const client = connect(port, '127.0.0.1')
    await once(client, 'connect')
    client.pause() // reads nothing: the server's writes back up
    client.write(`GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`)
    // Watch the response until it is held by back-pressure (no clock: the state itself).
    while (!response?.writableNeedDrain) await new Promise((r) => setImmediate(r))
    const pulledWhenBlocked = pulled

    client.destroy()
    expect(await copied).toBe(false)
    // It stopped pulling from upstream once the client was gone (at most the chunk in hand).
    expect(pulled - pulledWhenBlocked).toBeLessThanOrEqual(1)
  })

  it('copies everything and ends with true when the client reads it all', async () => {
    const chunks = ['a', 'b', 'c'].map((c) => Buffer.from(c.repeat(1000)))
    const server = createServer(async (_req, res) => {
      res.writeHead(200)
      async function* upstream() {
        yield* chunks
      }
      const ok = await pipeUpstream(upstream(), res)
      res.end(ok ? '' : 'broken')
    })
    servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const {port} = server.address() as {port: number}
    const text = await (await fetch(`http://127.0.0.1:${port}/`)).text()
    expect(text).toBe(Buffer.concat(chunks).toString())
  })
})
