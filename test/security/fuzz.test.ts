import {createHash} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  adminApproveRequestSchema,
  adminCreateInviteRequestSchema,
  adminCreateUserRequestSchema,
  adminSetPlanRequestSchema,
  oauthErrorSchema,
} from '../../src/contract/auth.js'
import {createIncidentRequestSchema, resolveIncidentRequestSchema, updateIncidentRequestSchema} from '../../src/contract/status.js'
import {drainRequestSchema} from '../../src/contract/replicas.js'
import {buildAdminApp} from '../../src/server/admin/app.js'
import {newId} from '../../src/ids.js'
import {workspaceTar} from '../../src/workspace/archive.js'
import {caseOf, idsOf, ROUTE_CASES} from './catalogue.js'
import {contractCases, type FuzzCase, HOSTILE_STRINGS, malformedBodies, seededRandom} from './fuzz.js'
import {type Answer, expectProblem} from './http.js'
import {fillPath, listRoutes, paramsOf, protectedRoutes, routeKey} from './routes.js'
import {startWorld, type World} from './world.js'

/** Random cases per route on top of the deterministic ones; the seed is fixed per route. */
const RANDOM_PER_ROUTE = 25
/** Lone surrogates become U+FFFD, which encodeURIComponent can encode. */
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8')
const seedOf = (text: string) => createHash('sha256').update(text).digest().readUInt32BE(0)

/**
 * Fuzz: every JSON route gets bodies built from its zod contract, plus bodies that are not JSON
 * at all; every route gets hostile path parameters and queries; the OAuth forms and the tar push
 * get garbage too. Whatever comes in, the answer is never a 5xx, a body the contract refuses is
 * always a 4xx problem, and the server still answers /healthz afterwards.
 */
describe('fuzz', () => {
  let w: World

  beforeAll(async () => {
    w = await startWorld((config) => {
      // Valid creates would start instance processes; with the quota full they answer 429 instead.
      config.instances.maxPerUser = 1
      // The fuzzer sends thousands of requests; the limits themselves are tested elsewhere.
      if ('rateLimits' in config) Object.assign(config, {rateLimits: {perToken: null, perIp: null}})
    })
  })
  afterAll(() => w?.dispose())

  /** Sends each case; returns one line per answer that breaks the rules. */
  async function send(method: string, path: string, cases: FuzzCase[], check?: (res: Answer, c: FuzzCase) => string | undefined): Promise<string[]> {
    const failures: string[] = []
    for (const c of cases) {
      let res: Answer
      try {
        res = await w.api(w.alice.user.accessToken, method, path, {raw: c.raw, contentType: c.contentType ?? 'application/json', timeoutMs: 60_000})
      } catch (error) {
        failures.push(`${c.label}: no answer (${(error as Error).message})`)
        continue
      }
      const bad = problemRule(res, c.mustFail) ?? check?.(res, c)
      if (bad) failures.push(`${c.label}: ${bad}`)
    }
    return failures
  }

  function problemRule(res: Answer, mustFail: boolean): string | undefined {
    const got = `${res.status} ${res.text.slice(0, 200)}`
    if (res.status >= 500) return `server error ${got}`
    if (mustFail && (res.status < 400 || res.status >= 500)) return `accepted what the contract refuses: ${got}`
    if (res.status >= 400) {
      try {
        expectProblem(res)
      } catch {
        return `not a problem document: ${got} (${res.headers['content-type']})`
      }
    }
    return undefined
  }

  /** A body that passes the contract but that no handler can act on for real. */
  function fuzzSample(key: string): unknown {
    if (key === 'DELETE /v1/account') return {confirm_email: 'not-the-owner@example.com'}
    return caseOf(key).body!(w.alice)
  }

  const jsonRoutes = Object.entries(ROUTE_CASES).filter(([, c]) => c.contract)

  it.each(jsonRoutes.map(([key]) => [key]))('%s: bodies built from the contract and malformed ones', async (key) => {
    const [method, url] = key.split(' ') as [string, string]
    const c = caseOf(key)
    const sample = fuzzSample(key)
    const opts = {optionalBody: c.optionalBody}
    const cases = [...contractCases(c.contract!, sample, seedOf(key), RANDOM_PER_ROUTE, opts), ...malformedBodies(sample, opts)]
    expect(cases.filter((x) => x.mustFail).length).toBeGreaterThan(30)
    const failures = await send(method, fillPath(url, idsOf(w.alice)), cases)
    expect(failures).toEqual([])
    expect((await w.api(undefined, 'GET', '/healthz')).status).toBe(200)
  }, 240_000)

  it('every JSON body route is in the fuzz (the inventory’s POST, PUT and PATCH routes with a body)', () => {
    // Routes that take no body are listed here on purpose; anything else must name its contract.
    const bodiless = new Set(['POST /v1/instances/:ref/pause', 'POST /v1/instances/:ref/resume', 'POST /v1/instances/:ref/sessions/:sid/messages/:mid/abort'])
    const withBody = protectedRoutes(w.server.app).filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method)).map(routeKey)
    expect(withBody.filter((k) => !bodiless.has(k) && !caseOf(k).contract)).toEqual([])
  })

  it('routes without a JSON contract get malformed bodies too (on ids nobody has), and never fail with a 5xx', async () => {
    const ghost = {ref: newId('ins'), sid: newId('ses'), mid: newId('msg'), name: 'openai', id: newId('tok')}
    const failures: string[] = []
    for (const route of protectedRoutes(w.server.app).filter((r) => r.method !== 'GET' && !caseOf(routeKey(r)).contract)) {
      const cases = malformedBodies({}).map((c) => ({...c, mustFail: false}))
      const path = fillPath(route.url, ghost)
      failures.push(...(await send(route.method, path, cases)).map((f) => `${route.method} ${path}: ${f}`))
    }
    expect(failures).toEqual([])
  }, 240_000)

  it('hostile path parameters on every protected route: 4xx problems, never a 5xx', async () => {
    const hostile = [
      '..', '.', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%00', 'ins_aaaaaaaaaaaaaaaaaaaa%00', '%0d%0aX-Injected:%201',
      '%', '%zz', '%E0%A4%A', '%C0%AE%C0%AE', '%F0%9F%98%80', '%E2%80%A8', 'A'.repeat(3000), 'INS_AAAAAAAAAAAAAAAAAAAA',
      '%5c..%5c', 'a;b', 'a%3Bb', '%u002e', "'%20OR%201=1", '__proto__', 'constructor',
    ]
    const mine = idsOf(w.alice)
    const failures: string[] = []
    for (const route of protectedRoutes(w.server.app)) {
      const c = caseOf(routeKey(route))
      for (const param of paramsOf(route.url)) {
        for (const value of hostile) {
          // Only this parameter is hostile; the others are alice's real ones, so the route gets far.
          const path = fillPath(route.url, {...mine, [param]: value}, false)
          const body = c.body ? fuzzSample(routeKey(route)) : undefined
          let res: Answer
          try {
            res = await w.api(w.alice.user.accessToken, route.method, path, {body})
          } catch (error) {
            failures.push(`${route.method} ${path}: no answer (${(error as Error).message})`)
            continue
          }
          if (res.status < 400 || res.status >= 500) failures.push(`${route.method} ${path.slice(0, 120)}: ${res.status} ${res.text.slice(0, 150)}`)
          else {
            const bad = problemRule(res, true)
            if (bad) failures.push(`${route.method} ${path.slice(0, 120)}: ${bad}`)
          }
        }
      }
    }
    expect(failures).toEqual([])
    // Alice's things survived: nothing hostile named them.
    expect((await w.api(w.alice.user.accessToken, 'GET', `/v1/instances/${mine.ref}`)).body.state).toBe('running')
  }, 240_000)

  it('hostile query strings on every GET route: never a 5xx', async () => {
    const queries = [
      'limit=-1', 'limit=0', 'limit=1e309', 'limit=abc', 'limit=99999999999999999999', 'limit=1&limit=2', 'since=garbage',
      'since=9999-99-99T99:99:99Z', 'instance=..', 'instance=%00', 'after_id=99999999999999999999', 'after_id=-1',
      'a[b]=1', '__proto__[polluted]=yes', 'constructor[prototype][polluted]=yes', 'x=' + 'y'.repeat(6000), '%zz=1', '&&&=',
    ]
    const failures: string[] = []
    for (const route of protectedRoutes(w.server.app).filter((r) => r.method === 'GET')) {
      const path = fillPath(route.url, idsOf(w.alice))
      for (const q of queries) {
        const res = await w.api(w.alice.user.accessToken, 'GET', `${path}?${q}`)
        const bad = problemRule(res, false)
        if (bad) failures.push(`GET ${path}?${q.slice(0, 60)}: ${bad}`)
      }
    }
    expect(failures).toEqual([])
  }, 240_000)

  it('the OAuth form endpoints answer garbage with an RFC 6749 error, never a 5xx', async () => {
    const random = seededRandom(seedOf('oauth'))
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!
    const names = ['grant_type', 'device_code', 'client_id', 'refresh_token', 'token', 'scope', 'token_type_hint', '__proto__', 'x']
    const values = [...HOSTILE_STRINGS, 'urn:ietf:params:oauth:grant-type:device_code', 'refresh_token', 'clawd-cli', 'clawd_rt_' + 'A'.repeat(36)]
    const forms: string[] = ['', '=', '&&', 'grant_type', 'grant_type=refresh_token&grant_type=refresh_token', 'a=%zz', 'a=' + 'b'.repeat(200_000)]
    for (let i = 0; i < 60; i++) {
      const n = 1 + Math.floor(random() * 4)
      forms.push(Array.from({length: n}, () => `${encodeURIComponent(pick(names))}=${encodeURIComponent(wellFormed(pick(values)))}`).join('&'))
    }
    const failures: string[] = []
    for (const endpoint of ['/oauth/token', '/oauth/device_authorization', '/oauth/revoke']) {
      const cases: Array<{raw: string; contentType: string}> = [
        ...forms.map((raw) => ({raw, contentType: 'application/x-www-form-urlencoded'})),
        {raw: '{"grant_type":"refresh_token"}', contentType: 'application/json'},
        {raw: 'grant_type=x', contentType: 'text/plain'},
      ]
      for (const c of cases) {
        const res = await w.api(undefined, 'POST', endpoint, c)
        const label = `${endpoint} ${c.contentType} ${c.raw.slice(0, 80)}`
        if (res.status >= 500) failures.push(`${label}: ${res.status} ${res.text.slice(0, 200)}`)
        else if (res.status >= 400 && !oauthErrorSchema.safeParse(res.body).success) failures.push(`${label}: not an OAuth error: ${res.status} ${res.text.slice(0, 200)}`)
      }
    }
    expect(failures).toEqual([])
  }, 240_000)

  it('tar bodies for a workspace push: random bytes, truncated and corrupted archives are 4xx problems', async () => {
    const random = seededRandom(seedOf('tar'))
    const good = Buffer.from(workspaceTar([{path: 'SOUL.md', content: '# fuzz\n'}]))
    const cases: FuzzCase[] = [
      {label: 'empty', raw: Buffer.alloc(0), mustFail: true},
      {label: 'one zero block', raw: Buffer.alloc(512), mustFail: false},
      {label: 'truncated header', raw: good.subarray(0, 100), mustFail: true},
      {label: 'truncated data', raw: good.subarray(0, 520), mustFail: true},
    ]
    for (let i = 0; i < 30; i++) {
      const bytes = Buffer.from(good)
      // Flip a few bytes of the header or data: checksums, sizes, names and modes get garbage.
      for (let j = 0; j < 1 + Math.floor(random() * 8); j++) bytes[Math.floor(random() * 1024)] = Math.floor(random() * 256)
      cases.push({label: `corrupted #${i}`, raw: bytes, mustFail: false})
    }
    for (let i = 0; i < 10; i++) {
      const size = Math.floor(random() * 20_000)
      cases.push({label: `${size} random bytes`, raw: Buffer.from(Array.from({length: size}, () => Math.floor(random() * 256))), mustFail: true})
    }
    const huge = Buffer.from(good)
    huge.write('77777777777\u0000', 124, 'latin1')
    cases.push({label: 'a size field of 8 GiB', raw: huge, mustFail: true})
    const path = `/v1/instances/${w.alice.instance.id}/workspace`
    const failures = await send('PUT', path, cases.map((c) => ({...c, contentType: 'application/x-tar'})))
    expect(failures).toEqual([])
  }, 240_000)

  it('operator routes (the admin socket’s app) get contract-built and malformed bodies too: never a 5xx', async () => {
    // The same app `clawd server …` reaches over the admin socket, driven in-process with inject.
    const admin = await buildAdminApp(w.server.ctx)
    try {
      const incident = await admin.inject({method: 'POST', url: '/admin/incidents', payload: {title: 'fuzzing', impact: 'minor'}})
      expect(incident.statusCode, incident.body).toBe(201)
      const id = incident.json().id as string
      const cases: Record<string, {contract: Parameters<typeof contractCases>[0]; sample: unknown; optionalBody?: boolean}> = {
        'POST /admin/users': {contract: adminCreateUserRequestSchema, sample: {email: 'fuzzed-operator@example.com', password: 'a-long-enough-password'}},
        'POST /admin/users/plan': {contract: adminSetPlanRequestSchema, sample: {email: w.alice.user.email, plan: 'free'}},
        'POST /admin/invites': {contract: adminCreateInviteRequestSchema, sample: {plan: 'dedicated', uses: 1, expires_in_sec: 3600}, optionalBody: true},
        'POST /admin/device/approve': {contract: adminApproveRequestSchema, sample: {user_code: 'BCDF-GHJK', email: w.alice.user.email}},
        'POST /admin/incidents': {contract: createIncidentRequestSchema, sample: {title: 'fuzz', impact: 'minor'}},
        'POST /admin/incidents/:id/updates': {contract: updateIncidentRequestSchema, sample: {message: 'still fuzzing'}},
        'POST /admin/incidents/:id/resolve': {contract: resolveIncidentRequestSchema, sample: {message: 'done'}, optionalBody: true},
        // A lone server with instances refuses (409: nowhere to move them), before changing anything.
        'POST /admin/drain': {contract: drainRequestSchema, sample: {}, optionalBody: true},
      }
      const served = listRoutes(admin).map(routeKey).filter((k) => !k.startsWith('GET '))
      expect(served.filter((k) => !(k in cases)), 'operator routes with a body missing from this fuzz').toEqual([])
      const failures: string[] = []
      for (const [key, c] of Object.entries(cases)) {
        const [method, url] = key.split(' ') as [string, string]
        const opts = {optionalBody: c.optionalBody}
        // Resolving closes the incident; updates after that are 404s, which is fine here.
        for (const fc of [...contractCases(c.contract, c.sample, seedOf(key), RANDOM_PER_ROUTE, opts), ...malformedBodies(c.sample, opts)]) {
          const res = await admin.inject({
            method: method as 'POST',
            url: fillPath(url, {id}),
            payload: fc.raw,
            headers: {'content-type': fc.contentType ?? 'application/json'},
          })
          let body: unknown
          try {
            body = JSON.parse(res.body)
          } catch {}
          const bad = problemRule({status: res.statusCode, headers: res.headers as Answer['headers'], text: res.body, body}, fc.mustFail)
          if (bad) failures.push(`${key} ${fc.label}: ${bad}`)
        }
      }
      expect(failures).toEqual([])
    } finally {
      await admin.close()
    }
  }, 240_000)

  it('afterwards: the server answers, logged no unhandled error, and no prototype was polluted', async () => {
    expect((await w.api(undefined, 'GET', '/healthz')).status).toBe(200)
    expect((await w.api(w.alice.user.accessToken, 'GET', '/v1/me')).status).toBe(200)
    const unhandled = w.server
      .logs()
      .split('\n')
      .filter((l) => /unhandled error|oauth endpoint failed/.test(l))
    expect(unhandled).toEqual([])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined()
  })
})
