import {randomBytes} from 'node:crypto'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {logsResponseSchema} from '../../src/contract/logs.js'
import {problemSchema} from '../../src/contract/problem.js'
import type {ServerConfig} from '../../src/server/config.js'
import {parseRequestRate} from '../../src/server/config.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {startServerProcess, startTestServer, storeArgs} from '../helpers/server.js'
import {openTestStore, postgresUrl} from '../helpers/stores.js'
import {tempDir} from '../helpers/tmp.js'
import {api} from './helpers.js'

type TestServer = Awaited<ReturnType<typeof startTestServer>>

/** These tests start no instance, so the server need not probe for a sandbox. */
const startQuietServer = (tweak: (c: ServerConfig) => void = () => {}) =>
  startTestServer((c) => {
    c.instances.sandbox = 'none'
    tweak(c)
  })

const LIMIT_ITEM = /^"(\w+)";r=(\d+);t=(\d+)$/

/** The RateLimit field's items by policy name (draft-ietf-httpapi-ratelimit-headers). */
function limits(headers: Headers): Record<string, {r: number; t: number}> {
  const out: Record<string, {r: number; t: number}> = {}
  for (const item of (headers.get('ratelimit') ?? '').split(/,\s*/).filter(Boolean)) {
    const m = LIMIT_ITEM.exec(item)
    if (!m) throw new Error(`malformed RateLimit item ${item}`)
    out[m[1]!] = {r: Number(m[2]), t: Number(m[3])}
  }
  return out
}

describe('request rate limits', () => {
  it('parses N/WINDOW and off', () => {
    expect(parseRequestRate('600/1m')).toEqual({requests: 600, windowMs: 60_000})
    expect(parseRequestRate('10/s')).toEqual({requests: 10, windowMs: 1000})
    expect(parseRequestRate('off')).toBeNull()
    for (const bad of ['600', '1/0s', '5/2d', 'x/1m']) expect(() => parseRequestRate(bad), bad).toThrow()
  })

  describe('with the default limits', () => {
    let server: TestServer
    let user: TestUser
    beforeAll(async () => {
      server = await startQuietServer()
      user = await newUser(server)
    })
    afterAll(() => server.dispose())

    it('announces both policies and what is left on every /v1 answer', async () => {
      const first = await api(server, user.accessToken, 'GET', '/v1/me')
      expect(first.status).toBe(200)
      expect(first.headers.get('ratelimit-policy')).toBe('"ip";q=6000;w=60, "token";q=1200;w=60')
      // A fresh bucket holds the whole quota, less this request; it is full again within a second.
      expect(limits(first.headers)).toEqual({ip: {r: 5999, t: 1}, token: {r: 1199, t: 1}})
      const second = await api(server, user.accessToken, 'GET', '/v1/me')
      expect(limits(second.headers).token!.r).toBeLessThanOrEqual(1199)
      // Unauthenticated /v1 answers count against the address only; other paths are not limited.
      const anonymous = await api(server, undefined, 'GET', '/v1/status')
      expect(Object.keys(limits(anonymous.headers))).toEqual(['ip'])
      const refused = await api(server, undefined, 'GET', '/v1/me')
      expect(refused.status).toBe(401)
      expect(Object.keys(limits(refused.headers))).toEqual(['ip'])
      const health = await api(server, undefined, 'GET', '/healthz')
      expect(health.headers.get('ratelimit')).toBeNull()
    })
  })

  describe('with tiny limits', () => {
    let server: TestServer
    let user: TestUser
    beforeAll(async () => {
      server = await startQuietServer((c) => {
        c.rateLimits = {perToken: {requests: 3, windowMs: 3_600_000}, perIp: null}
      })
      user = await newUser(server)
    })
    afterAll(() => server.dispose())

    it('refuses the request past the limit with 429, Retry-After and a problem, per token', async () => {
      for (let i = 0; i < 3; i++) expect((await api(server, user.accessToken, 'GET', '/v1/tokens')).status).toBe(200)
      const refused = await api(server, user.accessToken, 'GET', '/v1/tokens')
      expect(refused.status).toBe(429)
      const problem = problemSchema.parse(refused.body)
      expect(problem.code).toBe('rate_limited')
      expect(problem.detail).toContain('3 per hour')
      const retryAfter = Number(refused.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(refused.headers.get('ratelimit-policy')).toBe('"token";q=3;w=3600')
      // The effective window and Retry-After agree (the draft's §6).
      expect(limits(refused.headers).token).toEqual({r: 0, t: retryAfter})
    })

    it('counts each token of an account separately, and logs the refusal', async () => {
      const owner = await newUser(server)
      const created = await api(server, owner.accessToken, 'POST', '/v1/tokens', {name: 'ci'})
      expect(created.status).toBe(201)
      const pat: string = created.body.token
      for (let i = 0; i < 3; i++) expect((await api(server, pat, 'GET', '/v1/me')).status).toBe(200)
      expect((await api(server, pat, 'GET', '/v1/me')).status).toBe(429)
      // The access token spent one of its three on creating the PAT; it still has two.
      const read = await api(server, owner.accessToken, 'GET', '/v1/logs')
      expect(read.status).toBe(200)
      const log = logsResponseSchema.parse(read.body)
      expect(log.entries.map((e) => `${e.route} ${e.status}`)).toEqual(['/v1/tokens 201', '/v1/me 200', '/v1/me 200', '/v1/me 200', '/v1/me 429'])
    })
  })

  describe('per client address', () => {
    const start = (trustProxy: boolean) =>
      startQuietServer((c) => {
        c.trustProxy = trustProxy
        c.rateLimits = {perToken: null, perIp: {requests: 2, windowMs: 3_600_000}}
      })

    it('uses X-Forwarded-For only behind a trusted proxy', {timeout: 180_000}, async () => {
      const trusting = await start(true)
      try {
        const from = (ip: string) => api(trusting, undefined, 'GET', '/v1/status', undefined, {'x-forwarded-for': ip})
        expect([(await from('203.0.113.7')).status, (await from('203.0.113.7')).status, (await from('203.0.113.7')).status]).toEqual([200, 200, 429])
        expect((await from('203.0.113.8')).status).toBe(200)
        // The log shows the forwarded address.
        const user = await newUser(trusting)
        await api(trusting, user.accessToken, 'GET', '/v1/me', undefined, {'x-forwarded-for': '198.51.100.4'})
        const log = logsResponseSchema.parse((await api(trusting, user.accessToken, 'GET', '/v1/logs', undefined, {'x-forwarded-for': '198.51.100.5'})).body)
        expect(log.entries.find((e) => e.route === '/v1/me')?.ip).toBe('198.51.100.4')
        // Only the hop the proxy added counts: an address the client wrote in front is ignored.
        const spoofed = (ip: string) => api(trusting, undefined, 'GET', '/v1/status', undefined, {'x-forwarded-for': `203.0.113.99, ${ip}`})
        expect((await spoofed('203.0.113.7')).status).toBe(429)
      } finally {
        await trusting.dispose()
      }

      const direct = await start(false)
      try {
        // Without --trust-proxy a client cannot pick its own address: all three share 127.0.0.1's bucket.
        const statuses = []
        for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
          statuses.push((await api(direct, undefined, 'GET', '/v1/status', undefined, {'x-forwarded-for': ip})).status)
        }
        expect(statuses).toEqual([200, 200, 429])
      } finally {
        await direct.dispose()
      }
    })
  })
})

describe('the CLI under rate limits', () => {
  const home = () => ({CLAWD_CONFIG_DIR: tempDir('clawd-cli-').path, CLAWD_SANDBOX: 'none'})

  /**
   * A server that allows each token one request per `windowMs`, and a user who has just spent it
   * on GET `spentOn`: `run` gets the server and the CLI environment of that user.
   */
  async function withSpentToken(windowMs: number, spentOn: string, run: (server: TestServer, env: NodeJS.ProcessEnv) => Promise<void>) {
    const server = await startQuietServer((c) => {
      c.rateLimits = {perToken: {requests: 1, windowMs}, perIp: null}
    })
    try {
      const user = await newUser(server)
      expect((await api(server, user.accessToken, 'GET', spentOn)).status).toBe(200)
      await run(server, {...home(), CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken})
    } finally {
      await server.dispose()
    }
  }

  it('waits Retry-After on an idempotent call and succeeds', {timeout: 120_000}, () =>
    withSpentToken(3000, '/v1/tokens', async (server, env) => {
      const r = await runCli(['tokens', 'list', '--json'], {env})
      expect(r.code, r.stderr).toBe(0)
      expect(json(r)).toEqual({tokens: [], next_cursor: null})
      // It was refused once, then served: the CLI waited instead of failing.
      const log = await server.ctx.db.asSystem((q) => q.query<{status: number}>(`SELECT status FROM access_log WHERE route = '/v1/tokens' ORDER BY id`))
      expect(log.map((row) => row.status)).toEqual([200, 429, 200])
    }))

  it('says when to try again on a call it must not repeat, and on a long wait', {timeout: 120_000}, () =>
    withSpentToken(3_600_000, '/v1/me', async (_server, env) => {
      const post = await runCli(['tokens', 'create', '--name', 'ci'], {env})
      expect(post.code).toBe(6)
      expect(post.stderr).toMatch(/^Error: Too many requests from this token: the limit is 1 per hour\.\nHint: .*Try again in \d+ min\.\n$/)
      const get = await runCli(['tokens', 'list', '--json'], {env})
      expect(get.code).toBe(6)
      expect(json(get).error).toMatchObject({code: 'rate_limited', hint: expect.stringMatching(/Try again in \d+ min\./)})
    }))
})

describe.skipIf(!postgresUrl)('one limit across API processes on one PostgreSQL', () => {
  it('allows exactly the limit in total when requests alternate between two servers', {timeout: 180_000}, async () => {
    const store = await openTestStore('postgres')
    const args = [...storeArgs(store), '--rate-limit-token', '6/1h', '--rate-limit-ip', 'off', '--sandbox', 'none']
    // Processes sharing a database share the master key (token hashes are peppered with it).
    const env = {CLAWD_MASTER_KEY: randomBytes(32).toString('hex')}
    const a = await startServerProcess({args, env})
    const b = await startServerProcess({args, env})
    try {
      const user = await newUser({url: a.url, adminSocket: join(a.dataDir, 'admin.sock')})
      const statuses = await Promise.all(Array.from({length: 12}, (_, i) => api(i % 2 ? a : b, user.accessToken, 'GET', '/v1/me').then((r) => r.status)))
      expect(statuses.filter((s) => s === 200)).toHaveLength(6)
      expect(statuses.filter((s) => s === 429)).toHaveLength(6)
    } finally {
      await Promise.all([a.stop(), b.stop()])
      await store.dispose()
    }
  })
})

describe.skipIf(postgresUrl)('one limit across API processes on one PostgreSQL', () => {
  it.skip('needs CLAWD_TEST_DATABASE_URL (an external PostgreSQL for several API processes)', () => {})
})
