import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {KEYPAIR_ENTRY} from '../../src/agent/keypair.js'
import {AgentError, reply, route} from '../../src/agent/router.js'
import {agentRoutes} from '../../src/agent/routes/index.js'
import {startAgent, type RunningAgent} from '../../src/agent/server.js'
import {Vault} from '../../src/agent/vault.js'
import {kidFor} from '../../src/crypto/hpke.js'
import {agentRequest} from '../../src/runtime/agent-client.js'
import {INSTANCE_SECRET_HEADER} from '../../src/contract/agent-header.js'
import {inProcessInit} from '../helpers/agent.js'
import {allBytes} from './helpers.js'

/** The agent's HTTP core in this process: auth, routing, errors, body limits, the key pair. */
describe('agent server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawd-agent-'))
  const secret = randomBytes(24).toString('base64url')
  const dataKey = randomBytes(32)
  const socketPath = join(dir, 'agent.sock')
  let agent: RunningAgent
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => (release = resolve))
  let sawAbort = false

  const testRoutes = [
    ...agentRoutes,
    route({method: 'GET', path: '/things/:id'}, ({params, query}) => ({id: params.id, q: query.get('q')})),
    route({method: 'POST', path: '/things'}, async (call) => reply(201, {got: await call.json()})),
    route({method: 'POST', path: '/small'}, async (call) => ({size: (await call.body(10)).length})),
    route({method: 'GET', path: '/conflict'}, () => {
      throw AgentError.conflict('busy')
    }),
    route({method: 'GET', path: '/boom'}, () => {
      throw new Error('internal detail that must not leak')
    }),
    route({method: 'DELETE', path: '/things/:id'}, () => undefined),
    route({method: 'GET', path: '/stream'}, async ({res, signal}) => {
      res.writeHead(200, {'content-type': 'text/event-stream'})
      res.write('data: first\n\n')
      signal.addEventListener('abort', () => {
        sawAbort = true
        release()
      })
      await released
    }),
  ]

  beforeAll(async () => {
    agent = await startAgent(inProcessInit('ins_test', dir, secret), dataKey, {routes: testRoutes, log: () => {}})
  })
  afterAll(async () => {
    await agent.close(100)
    rmSync(dir, {recursive: true, force: true})
  })

  const call = (method: string, path: string, body?: unknown, s: string | null = secret) =>
    agentRequest({socketPath, secret: s ?? undefined}, method, path, {body})

  it('listens on a 0600 socket', () => {
    expect(statSync(socketPath).mode & 0o777).toBe(0o600)
  })

  it('refuses requests without the secret or with a wrong one, on every route', async () => {
    for (const path of ['/health', '/pubkey', '/nope']) {
      expect((await call('GET', path, undefined, null)).status).toBe(401)
      expect((await call('GET', path, undefined, secret + 'x')).status).toBe(401)
      expect((await call('GET', path, undefined, '')).status).toBe(401)
    }
    const res = await call('GET', '/health', undefined, 'wrong')
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.body).toMatchObject({status: 401, code: 'unauthenticated'})
  })

  it('answers health and its public key, with the private key only encrypted on disk', async () => {
    const health = await call('GET', '/health')
    expect(health.status).toBe(200)
    expect(health.body).toMatchObject({ok: true, instance_id: 'ins_test'})
    const pub = (await call('GET', '/pubkey')).body as {kid: string; public_key: string}
    const publicKey = Buffer.from(pub.public_key, 'base64url')
    expect(publicKey.length).toBe(32)
    expect(pub.kid).toBe(kidFor(publicKey))

    const stored = (await (await Vault.open(dir, dataKey)).readJson<{private_key: string}>(KEYPAIR_ENTRY))!
    const privateKey = Buffer.from(stored.private_key, 'base64url')
    const disk = allBytes(dir)
    for (const needle of [privateKey, Buffer.from(stored.private_key), Buffer.from(privateKey.toString('hex')), Buffer.from(pub.kid), dataKey]) {
      expect(disk.includes(needle)).toBe(false)
    }
  })

  it('routes params, queries, JSON bodies, replies and errors', async () => {
    expect((await call('GET', '/things/a%20b?q=1')).body).toEqual({id: 'a b', q: '1'})
    const created = await call('POST', '/things', {x: 1})
    expect(created.status).toBe(201)
    expect(created.body).toEqual({got: {x: 1}})
    expect((await call('DELETE', '/things/1')).status).toBe(204)
    expect((await call('GET', '/conflict')).body).toMatchObject({status: 409, code: 'conflict', detail: 'busy'})
    const boom = await call('GET', '/boom')
    expect(boom.status).toBe(500)
    expect(JSON.stringify(boom.body)).not.toContain('internal detail')
    expect((await call('GET', '/missing')).status).toBe(404)
    const wrongMethod = await call('PUT', '/things')
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.allow).toBe('POST')
  })

  it('refuses bad JSON and bodies over the limit', async () => {
    const bad = await agentRequest({socketPath, secret}, 'POST', '/things', {headers: {'content-type': 'application/json'}, body: undefined})
    expect(bad.status).toBe(400)
    const big = await call('POST', '/small', 'x'.repeat(100))
    expect(big.status).toBe(413)
    expect(big.body).toMatchObject({code: 'payload_too_large'})
  })

  it('aborts a handler when its caller goes away', async () => {
    const {request} = await import('node:http')
    await new Promise<void>((resolve, reject) => {
      const req = request({socketPath, path: '/stream', headers: {[INSTANCE_SECRET_HEADER]: secret}}, (res) => {
        res.once('data', () => {
          req.destroy()
          resolve()
        })
      })
      req.on('error', () => {})
      req.once('error', reject)
      req.end()
    })
    await Promise.race([released, new Promise((r) => setTimeout(r, 5000))])
    expect(sawAbort).toBe(true)
  })
})
