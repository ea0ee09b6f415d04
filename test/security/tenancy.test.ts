import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newId} from '../../src/ids.js'
import {caseOf, type Ids, idsOf} from './catalogue.js'
import {expectProblem, type Answer} from './http.js'
import {fillPath, paramsOf, protectedRoutes, routeKey, type Route} from './routes.js'
import {startWorld, type World} from './world.js'

/**
 * The cross-tenant sweep: alice calls every protected route with bob's ids (his instance by id
 * and by name, his session and message, his key name, his API token id). Each answer is a 404
 * that reads exactly like the one for an id nobody has, so existence is not leaked, and bob's
 * data is unchanged afterwards.
 */
describe('cross-tenant sweep over every protected route', () => {
  let w: World
  let routes: Route[]
  const ghost: Ids = {ref: newId('ins'), sid: newId('ses'), mid: newId('msg'), name: 'openai', id: newId('tok')}
  const ghostName = 'ghost-box'

  beforeAll(async () => {
    w = await startWorld()
    routes = protectedRoutes(w.server.app)
  })
  afterAll(() => w?.dispose())

  const a = () => w.alice.user.accessToken
  const comparable = (res: Answer) =>
    res.status < 400 ? {status: res.status, body: res.body} : {status: res.status, code: res.body?.code, title: res.body?.title, detail: res.body?.detail, hint: res.body?.hint}
  const bobsSecrets = () => [w.bob.user.userId, w.bob.user.email, w.bob.instance.id, w.bob.session.id, w.bob.session.messageId, w.bob.pat.id]

  /** The ways a route's path can name bob's things: all of them his, or alice's instance with his sub-ids. */
  function variants(route: Route): Array<{label: string; bob: Ids; ghost: Ids; ownInstance?: boolean}> {
    const params = paramsOf(route.url)
    const bob = idsOf(w.bob)
    const out: Array<{label: string; bob: Ids; ghost: Ids; ownInstance?: boolean}> = [
      {label: 'bob’s ids', bob, ghost},
      {label: 'bob’s instance by name', bob: {...bob, ref: w.bob.instance.name}, ghost: {...ghost, ref: ghostName}},
    ]
    if (params.includes('sid')) {
      // alice's own instance, but bob's session (and message): the instance must not find them either.
      const mine = idsOf(w.alice)
      out.push({label: 'alice’s instance with bob’s session', bob: {...mine, sid: bob.sid, mid: bob.mid}, ghost: {...mine, sid: ghost.sid, mid: ghost.mid}, ownInstance: true})
      if (params.includes('mid')) {
        out.push({label: 'alice’s session with bob’s message', bob: {...mine, mid: bob.mid}, ghost: {...mine, mid: ghost.mid}, ownInstance: true})
      }
    }
    return params.includes('ref') || params.includes('id') ? out.slice(0, params.includes('ref') ? out.length : 1) : []
  }

  it('every route that takes ids: another user’s ids are 404, never 403, and read like ids nobody has', async () => {
    let checked = 0
    for (const route of routes.filter((r) => caseOf(routeKey(r)).scope === 'ids')) {
      const c = caseOf(routeKey(route))
      for (const v of variants(route)) {
        const path = fillPath(route.url, v.bob)
        const res = await w.api(a(), route.method, path, {body: c.body?.(w.alice)})
        const what = `${route.method} ${path} (${v.label})`
        if (v.ownInstance && c.noOpForUnknownSubIds) expect(res.body, what).toEqual(c.noOpBody ?? {aborted: false})
        else {
          expectProblem(res, 404, what)
          expect(res.body.code, what).toBe('not_found')
        }
        for (const secret of bobsSecrets()) expect(res.text.includes(secret), `${what} echoes ${secret}`).toBe(false)
        const nobody = await w.api(a(), route.method, fillPath(route.url, v.ghost), {body: c.body?.(w.alice)})
        expect(comparable(res), `${what}: differs from an id nobody has`).toEqual(comparable(nobody))
        checked++
      }
    }
    expect(checked).toBeGreaterThan(20)
  })

  it('routes that act on the caller’s own account never reach bob’s data', async () => {
    const selfRoutes = routes.filter((r) => caseOf(routeKey(r)).scope === 'self').map(routeKey)
    const tested = new Set<string>()
    const noneOfBobs = (res: Answer, what: string) => {
      for (const secret of bobsSecrets()) expect(res.text.includes(secret), `${what} shows bob’s ${secret}`).toBe(false)
    }
    const check = async (key: string, fn: () => Promise<void>) => {
      tested.add(key)
      await fn()
    }

    await check('GET /v1/me', async () => {
      const me = await w.api(a(), 'GET', '/v1/me')
      expect(me.body.id).toBe(w.alice.user.userId)
      noneOfBobs(me, 'GET /v1/me')
    })
    await check('GET /v1/tokens', async () => noneOfBobs(await w.api(a(), 'GET', '/v1/tokens'), 'GET /v1/tokens'))
    await check('POST /v1/tokens', async () => {
      const made = await w.api(a(), 'POST', '/v1/tokens', {body: {name: 'mine'}})
      expect(made.status).toBe(201)
      expect((await w.api(made.body.token, 'GET', '/v1/me')).body.id).toBe(w.alice.user.userId)
      expect((await w.api(a(), 'DELETE', `/v1/tokens/${made.body.id}`)).status).toBe(204)
    })
    await check('GET /v1/instances', async () => noneOfBobs(await w.api(a(), 'GET', '/v1/instances'), 'GET /v1/instances'))
    await check('POST /v1/instances', async () => {
      // Names are per user: bob's name is free for alice, so "already exists" cannot reveal it.
      const made = await w.api(a(), 'POST', '/v1/instances', {body: {name: w.bob.instance.name}})
      expect(made.status, made.text).toBe(202)
      expect(made.body.id).not.toBe(w.bob.instance.id)
      expect((await w.api(a(), 'DELETE', `/v1/instances/${made.body.id}`)).status).toBe(200)
    })
    // Alice's own access log names what she asked for, bob's ids included (she sent them, above);
    // every entry in it must be one of her own requests, and nothing else of bob's may show.
    const aliceTokens = new Set<string>()
    const onlyHers = (entries: Array<{token_id: string | null}>, what: string) => {
      const strangers = entries.filter((e) => e.token_id !== null && !aliceTokens.has(e.token_id))
      expect(strangers, `${what}: entries of someone else's tokens`).toEqual([])
    }
    await check('GET /v1/account/export', async () => {
      const exported = await w.api(a(), 'GET', '/v1/account/export')
      expect(exported.status).toBe(200)
      for (const t of exported.body.tokens as Array<{id: string}>) aliceTokens.add(t.id)
      expect(aliceTokens.has(w.alice.pat.id)).toBe(true)
      onlyHers(exported.body.access_log, 'export access_log')
      noneOfBobs({...exported, text: JSON.stringify({...exported.body, access_log: []})}, 'GET /v1/account/export')
    })
    await check('DELETE /v1/account', async () => {
      const res = await w.api(a(), 'DELETE', '/v1/account', {body: {confirm_email: w.bob.user.email}})
      expectProblem(res, (s) => s >= 400 && s < 500, 'DELETE /v1/account with bob’s email')
      noneOfBobs(res, 'DELETE /v1/account')
      expect((await w.api(a(), 'GET', '/v1/me')).status).toBe(200)
      expect((await w.api(w.bob.user.accessToken, 'GET', '/v1/me')).status).toBe(200)
    })
    if (selfRoutes.includes('GET /v1/logs')) {
      await check('GET /v1/logs', async () => {
        const all = await w.api(a(), 'GET', '/v1/logs?limit=1000')
        expect(all.status, all.text).toBe(200)
        onlyHers(all.body.entries, 'GET /v1/logs')
        // By id: a deleted instance's entries stay readable, so bob's id answers like an id
        // nobody has: alice's own requests that named it, nothing of bob's. By name: not found.
        for (const ref of [w.bob.instance.id, ghost.ref]) {
          const res = await w.api(a(), 'GET', `/v1/logs?instance=${ref}`)
          expect(res.status, res.text).toBe(200)
          onlyHers(res.body.entries, `GET /v1/logs?instance=${ref}`)
          expect(res.body.entries.filter((e: {kind: string}) => e.kind !== 'request')).toEqual([])
        }
        const byName = await w.api(a(), 'GET', `/v1/logs?instance=${w.bob.instance.name}`)
        expectProblem(byName, 404, 'logs of bob’s instance by name')
        expect(comparable(byName)).toEqual(comparable(await w.api(a(), 'GET', `/v1/logs?instance=${ghostName}`)))
      })
    }
    expect(selfRoutes.filter((k) => !tested.has(k)), 'self-scoped routes without a cross-tenant check here').toEqual([])
  })

  it('after the sweep bob’s data is exactly as it was, and his instance was not even touched', async () => {
    // Runs last: the sweeps above went first (vitest keeps the order within a file).
    const after = await w.api(w.bob.user.accessToken, 'GET', `/v1/instances/${w.bob.instance.id}`)
    expect(after.status).toBe(200)
    expect(after.body.last_active_at).toBe(bobBefore.instance.last_active_at)
    expect(await w.snapshot(w.bob)).toEqual(bobBefore.snapshot)
    const logs = await w.api(w.bob.user.accessToken, 'GET', '/v1/logs?limit=1000')
    if (logs.status === 200) {
      // Bob's access log holds only his own requests: none of alice's, not even her failed ones.
      const mine = new Set([w.bob.pat.id, (await w.api(w.bob.user.accessToken, 'GET', '/v1/me')).body.token.id])
      const strangers = logs.body.entries.filter((e: {token_id: string | null}) => e.token_id && !mine.has(e.token_id))
      expect(strangers).toEqual([])
    }
  })

  let bobBefore: {snapshot: unknown; instance: any}
  beforeAll(async () => {
    const snapshot = await w.snapshot(w.bob)
    const instance = (await w.api(w.bob.user.accessToken, 'GET', `/v1/instances/${w.bob.instance.id}`)).body
    bobBefore = {snapshot, instance}
  })
})
