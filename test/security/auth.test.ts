import {existsSync, statSync} from 'node:fs'
import {request} from 'node:http'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {INSTANCE_SECRET_HEADER} from '../../src/contract/agent-header.js'
import {generateToken} from '../../src/crypto/tokens.js'
import {adminRequest, oauthPost, startDeviceLogin} from '../helpers/auth.js'
import {caseOf, idsOf, ROUTE_CASES} from './catalogue.js'
import {expectProblem} from './http.js'
import {fillPath, isPublic, listRoutes, protectedRoutes, routeKey, type Route} from './routes.js'
import {startWorld, type World} from './world.js'

/**
 * The auth sweep: every route the app serves that is not public on purpose answers 401 to every
 * credential that is not a live one. Each request names the caller's own, real resources with a
 * body that passes the contract, so a route that forgot its auth hook would act, and fail here.
 */
describe('auth sweep over every protected route', () => {
  let w: World
  let routes: Route[]
  const creds = new Map<string, () => string | undefined>()
  const header = new Map<string, string>()

  /** A second device login for the same account, so one of its tokens can be revoked alone. */
  async function secondLogin(email: string): Promise<{access: string; refresh: string}> {
    const grant = await startDeviceLogin(w.server.url)
    const approved = await adminRequest(w.server.adminSocket, 'POST', '/admin/device/approve', {user_code: grant.user_code, email})
    expect(approved.status).toBe(200)
    const tokens = await oauthPost(`${w.server.url}/oauth/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: grant.device_code,
      client_id: 'clawd-test',
    })
    expect(tokens.status).toBe(200)
    return {access: tokens.body.access_token, refresh: tokens.body.refresh_token}
  }

  beforeAll(async () => {
    w = await startWorld()
    routes = protectedRoutes(w.server.app)
    const a = w.alice.user.accessToken

    const revokedPat = await w.api(a, 'POST', '/v1/tokens', {body: {name: 'to revoke'}})
    expect((await w.api(a, 'DELETE', `/v1/tokens/${revokedPat.body.id}`)).status).toBe(204)
    const login = await secondLogin(w.alice.user.email)
    expect((await oauthPost(`${w.server.url}/oauth/revoke`, {token: login.access})).status).toBe(200)
    const shortPat = await w.api(a, 'POST', '/v1/tokens', {body: {name: 'short lived', expires_in_days: 1}})
    expect(shortPat.status).toBe(201)
    // An account that is gone: its tokens must die with it.
    const carol = await secondLoginForNewAccount()
    expect((await w.api(carol.access, 'DELETE', '/v1/account', {body: {confirm_email: carol.email}})).status).toBe(200)

    const flip = (t: string) => t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A')
    creds.set('no token', () => undefined)
    creds.set('garbage', () => 'garbage')
    creds.set('a well-formed unknown token', () => generateToken('at'))
    creds.set('a bad checksum', () => flip(a))
    creds.set('an overlong token', () => 'clawd_at_' + 'A'.repeat(8000))
    creds.set('a revoked API token', () => revokedPat.body.token)
    creds.set('a revoked access token', () => login.access)
    creds.set('a refresh token', () => w.alice.user.refreshToken)
    creds.set('a deleted account’s token', () => carol.access)
    creds.set('a deleted account’s API token', () => carol.pat)
    creds.set('an expired access token', () => a)
    creds.set('an expired API token', () => shortPat.body.token)
    header.set('another scheme', `Basic ${Buffer.from(`${w.alice.user.email}:${w.alice.user.password}`).toString('base64')}`)
    header.set('an empty bearer', 'Bearer ')
    header.set('two tokens', `Bearer ${a} ${a}`)

    async function secondLoginForNewAccount() {
      const email = `carol-${Date.now().toString(36)}@example.com`
      const created = await adminRequest(w.server.adminSocket, 'POST', '/admin/users', {email, password: 'carol-password-123'})
      expect(created.status).toBe(201)
      const tokens = await secondLogin(email)
      const pat = await w.api(tokens.access, 'POST', '/v1/tokens', {body: {name: 'carol ci'}})
      expect(pat.status).toBe(201)
      return {email, access: tokens.access, pat: pat.body.token as string}
    }
  })
  afterAll(() => w?.dispose())

  it('the inventory: every protected route the app serves is in the sweep catalogue, and the public list is what it says', () => {
    const all = listRoutes(w.server.app)
    expect(all.map(routeKey)).toEqual(expect.arrayContaining(['GET /healthz', 'POST /oauth/token', 'GET /v1/me', 'PUT /v1/instances/:ref/keys/:name']))
    const uncovered = routes.map(routeKey).filter((k) => !(k in ROUTE_CASES))
    expect(uncovered, 'protected routes without a sweep entry in test/security/catalogue.ts').toEqual([])
    const stale = Object.keys(ROUTE_CASES).filter((k) => !routes.some((r) => routeKey(r) === k))
    expect(stale, 'catalogue entries the app no longer serves').toEqual([])
    // Only /v1/status may be public under /v1; operator routes never reach the network port.
    expect(all.filter(isPublic).map(routeKey).filter((k) => / \/v1\//.test(k))).toEqual(all.map(routeKey).filter((k) => k === 'GET /v1/status'))
    expect(all.filter((r) => r.url.startsWith('/admin'))).toEqual([])
  })

  it('the operator socket and each instance’s socket are for the data dir’s owner only, and an instance answers nobody without its secret', async () => {
    const dir = w.server.dataDir
    // Owner only; as root, the embedded PostgreSQL's own service group may also pass through
    // (0710) to reach <data-dir>/pg, and nothing else of it.
    const st = statSync(dir)
    if (process.getuid?.() === 0 && !w.server.ctx.config.databaseUrl) {
      expect(st.mode & 0o777).toBe(0o710)
      expect(st.gid).toBe(statSync(join(dir, 'pg')).gid)
      expect(st.gid).not.toBe(0)
    } else {
      expect(st.mode & 0o777).toBe(0o700)
    }
    expect(statSync(w.server.adminSocket).mode & 0o077).toBe(0)
    if (existsSync(join(dir, 'master.key'))) expect(statSync(join(dir, 'master.key')).mode & 0o077).toBe(0)
    const instanceDir = join(dir, 'instances', w.alice.instance.id)
    expect(statSync(instanceDir).mode & 0o077).toBe(0)
    const socketPath = join(instanceDir, 'agent.sock')
    const direct = (headers: Record<string, string>) =>
      new Promise<{status: number; text: string}>((resolve, reject) => {
        const req = request({socketPath, path: `/sessions/${w.alice.session.id}`, method: 'GET', headers, timeout: 10_000}, (res) => {
          let text = ''
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve({status: res.statusCode!, text}))
        })
        req.on('timeout', () => req.destroy(new Error('the agent socket did not answer')))
        req.on('error', reject)
        req.end()
      })
    const attempts: Array<Record<string, string>> = [{}, {[INSTANCE_SECRET_HEADER]: ''}, {[INSTANCE_SECRET_HEADER]: 'guess'}, {authorization: `Bearer ${w.alice.user.accessToken}`}]
    for (const headers of attempts) {
      const res = await direct(headers)
      expect(res.status, JSON.stringify(headers)).toBe(401)
      expect(res.text).not.toContain(w.alice.session.id)
    }
  })

  const sweep = async (label: string, opts: {token?: string; authorization?: string}, expectedCode: string | RegExp = 'unauthenticated') => {
    const ids = idsOf(w.alice)
    for (const route of routes) {
      const c = caseOf(routeKey(route))
      const path = fillPath(route.url, ids)
      const headers = opts.authorization !== undefined ? {authorization: opts.authorization} : undefined
      const res = await w.api(opts.token, route.method, path, {body: c.body?.(w.alice), headers})
      const what = `${label}: ${route.method} ${path}`
      expectProblem(res, 401, what)
      expect(res.body.code, what).toMatch(expectedCode)
      expect(String(res.headers['www-authenticate']), what).toMatch(/^Bearer/)
      if (route.method === 'GET') expect((await w.api(opts.token, 'HEAD', path, {headers})).status, `HEAD ${path}`).toBe(401)
    }
  }

  it('401 problem for no token, garbage, unknown, revoked, refresh, and dead-account tokens, and changes nothing', async () => {
    const before = await w.snapshot(w.alice)
    for (const [label, token] of creds) {
      if (label.startsWith('an expired')) continue
      await sweep(label, {token: token()})
    }
    for (const [label, authorization] of header) await sweep(label, {authorization})
    expect(await w.snapshot(w.alice)).toEqual(before)
  })

  it('401 for expired access and API tokens (clock moved past their lifetime), and they work again before it', async () => {
    const before = await w.snapshot(w.alice)
    w.clock.offsetMs = 2 * 86_400_000
    try {
      await sweep('an expired access token', {token: creds.get('an expired access token')!()}, 'token_expired')
      await sweep('an expired API token', {token: creds.get('an expired API token')!()})
    } finally {
      w.clock.offsetMs = 0
    }
    // The same tokens are live at the real time: the 401s above were the expiry, nothing else.
    expect((await w.api(creds.get('an expired API token')!(), 'GET', '/v1/me')).status).toBe(200)
    expect(await w.snapshot(w.alice)).toEqual(before)
  })
})
