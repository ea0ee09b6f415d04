import {beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {startServerProcess, useTestServer, type ServerProcess} from '../helpers/server.js'

describe('companion API basics', () => {
  const server = useTestServer()

  it('answers /healthz when the store answers', async () => {
    const res = await fetch(server.url + '/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({status: 'ok', store: 'embedded'})
  })

  it('answers unknown routes with a not_found problem', async () => {
    const res = await fetch(server.url + '/v1/nothing-here')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await res.json()).toMatchObject({status: 404, code: 'not_found'})
  })

  it('answers malformed JSON with a bad_request problem', async () => {
    const res = await fetch(server.url + '/healthz', {method: 'POST', headers: {'content-type': 'application/json'}, body: '{bad'})
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({code: 'bad_request'})
  })

  it('answers oversized bodies with a payload_too_large problem', async () => {
    const res = await fetch(server.url + '/healthz', {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({x: 'y'.repeat(2 * 1024 * 1024)}),
    })
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({code: 'payload_too_large'})
  })
})

describe('server start', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await startServerProcess()
  })

  it('refuses a second server on the same data dir with a clear error', async () => {
    const second = await runCli(['server', 'start', '--port', '0', '--data-dir', server.dataDir])
    expect(second.code).toBe(5)
    expect(second.stderr).toMatch(/Another clawd server \(pid \d+\) is already using/)
    expect(second.stderr).toMatch(/Hint: /)
    expect((await fetch(server.url + '/healthz')).status).toBe(200)
  })

  it('drains an in-flight request on SIGTERM, then exits 0', async () => {
    // A request whose body is still arriving when SIGTERM lands must still get its answer.
    const {request} = await import('node:http')
    const req = request(server.url + '/v1/slow-upload', {method: 'POST', headers: {'content-type': 'application/json'}})
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
    })
    req.write('{"part":')
    await new Promise((r) => setTimeout(r, 300))
    const exited = server.stop()
    await new Promise((r) => setTimeout(r, 300))
    req.end('1}')
    expect(await answered).toBe(404)
    expect(await exited).toBe(0)
  })
})
