import {createServer, type Server} from 'node:http'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {z} from 'zod'
import {defineRoute} from '../../src/contract/routes/index.js'
import {INSTANCE_SECRET_HEADER} from '../../src/contract/agent-header.js'
import {AgentAnswerError, AgentClients, agentRequest} from '../../src/runtime/agent-client.js'

/** A stand-in agent on a unix socket: answers what the test tells it, and shows what it got. */
describe('the server → agent client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawd-agent-client-'))
  const socketPath = join(dir, 'agent.sock')
  let server: Server
  const clients = new AgentClients()
  beforeAll(async () => {
    server = createServer((req, res) => {
      const answers: Record<string, [number, string]> = {
        '/good': [200, JSON.stringify({kid: 'k1', n: 1})],
        '/bad': [200, JSON.stringify({kid: 42})],
        '/problem': [503, JSON.stringify({title: 'busy'})],
        '/text': [200, 'not json'],
      }
      if (req.url === '/echo') {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => res.end(JSON.stringify({secret: req.headers[INSTANCE_SECRET_HEADER] ?? null, body: Buffer.concat(chunks).toString()})))
        return
      }
      if (req.url === '/hang') return
      const [status, body] = answers[(req.url ?? '').split('?')[0]!] ?? [404, '']
      res.writeHead(status, {'content-type': 'application/json'}).end(body)
    })
    await new Promise<void>((resolve) => server.listen(socketPath, resolve))
  })
  afterAll(async () => {
    await clients.closeAll()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    rmSync(dir, {recursive: true, force: true})
  })

  const schema = z.object({kid: z.string(), n: z.number()})
  const get = (path: string) => defineRoute({method: 'GET', path, summary: 'test', auth: 'instance-secret', responses: {200: schema}, errors: []})

  it('checks a 2xx answer against its contract instead of trusting it', async () => {
    const route = clients.localRoute(socketPath, 's3cret-s3cret-s3cret')
    expect((await clients.call(route, get('/good'))).body).toEqual({kid: 'k1', n: 1})
    const bad = await clients.call(route, get('/bad'), {query: {x: 1}}).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(AgentAnswerError)
    // It names the route, not the answer (which may hold user data), and drops the query.
    expect((bad as Error).message).toBe("the agent's answer to GET /bad (200) does not match its contract")
  })

  it('leaves error answers unchecked, for the caller to map', async () => {
    const route = clients.localRoute(socketPath, 's3cret-s3cret-s3cret')
    expect(await clients.call(route, get('/problem'))).toMatchObject({status: 503, body: {title: 'busy'}})
  })

  it('sends the instance secret and the JSON body, pooled or one-off', async () => {
    const route = clients.localRoute(socketPath, 's3cret-s3cret-s3cret')
    const echo = defineRoute({method: 'POST', path: '/echo', summary: 'test', auth: 'instance-secret', body: z.object({a: z.number()}), responses: {200: z.unknown()}, errors: []})
    expect((await clients.call(route, echo, {body: {a: 1}})).body).toEqual({secret: 's3cret-s3cret-s3cret', body: '{"a":1}'})
    expect((await agentRequest({socketPath}, 'POST', '/echo', {body: {b: 2}})).body).toEqual({secret: null, body: '{"b":2}'})
    expect((await agentRequest({socketPath, secret: 'other-secret-value'}, 'GET', '/text')).body).toBe('not json')
  })

  it('gives up after its timeout, and says so', async () => {
    await expect(agentRequest({socketPath}, 'GET', '/hang', {timeoutMs: 200})).rejects.toThrow('no answer from the agent within 200 ms')
  })
})
