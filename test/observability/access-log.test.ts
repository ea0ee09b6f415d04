import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {logsResponseSchema} from '../../src/contract/logs.js'
import {recordLifecycle} from '../../src/server/access-log.js'
import {sweepOldLogs} from '../../src/server/observability/log-sweeper.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'
import {accessLogDump, api, instanceRow} from './helpers.js'

describe('access log', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let ada: TestUser
  let bob: TestUser
  beforeAll(async () => {
    server = await startTestServer()
    ada = await newUser(server)
    bob = await newUser(server)
  })
  afterAll(() => server.dispose())

  const logsOf = async (user: TestUser, query = '') => {
    const res = await api(server, user.accessToken, 'GET', `/v1/logs${query}`)
    expect(res.status, res.text).toBe(200)
    return logsResponseSchema.parse(res.body)
  }

  it('records each authenticated request with its route template and token id, never the token, query or body', async () => {
    const canary = 'canary-' + Math.random().toString(36).slice(2)
    const me = await api(server, ada.accessToken, 'GET', '/v1/me', undefined, {'user-agent': 'log-test/1.0\t(tab)'})
    expect(me.status).toBe(200)
    // Ids, names, query strings and bodies the user sends must not reach the log as text.
    await api(server, ada.accessToken, 'GET', `/v1/instances/${canary}?secret=${canary}`)
    await api(server, ada.accessToken, 'POST', `/v1/instances/${canary}/sessions/ses_abcdefghijklmnopqrst/messages`, {content: `message ${canary}`})
    await api(server, ada.accessToken, 'POST', '/v1/tokens', {name: canary})

    const {entries} = await logsOf(ada)
    const meEntry = entries.find((e) => e.route === '/v1/me')!
    expect(meEntry).toMatchObject({
      kind: 'request',
      method: 'GET',
      status: 200,
      token_id: me.body.token.id,
      ip: '127.0.0.1',
      client: 'log-test/1.0 (tab)',
      instance_id: null,
    })
    expect(meEntry.duration_ms).toBeGreaterThanOrEqual(0)
    expect(entries.map((e) => `${e.method} ${e.route} ${e.status}`)).toEqual(
      expect.arrayContaining([
        'GET /v1/instances/:ref 404',
        'POST /v1/instances/:ref/sessions/:sid/messages 404',
        'POST /v1/tokens 201',
      ]),
    )
    const dump = await accessLogDump(server)
    expect(dump).not.toContain(canary)
    expect(dump).not.toContain(ada.accessToken)
    expect(dump).not.toContain(ada.refreshToken)
    expect(dump).toContain(me.body.token.id)
  })

  it('resolves the instance a route names to its id, and lists lifecycle events beside requests', async () => {
    const id = await instanceRow(server, ada.userId, 'logged')
    await server.ctx.db.asUser(ada.userId, (q) => recordLifecycle(q, {userId: ada.userId, instanceId: id, event: 'instance.paused'}))
    expect((await api(server, ada.accessToken, 'GET', '/v1/instances/logged')).status).toBe(200)

    const {entries} = await logsOf(ada, '?instance=logged')
    expect(entries.map((e) => [e.kind, e.event ?? e.route, e.instance_id])).toEqual([
      ['lifecycle', 'instance.paused', id],
      ['request', '/v1/instances/:ref', id],
    ])
  })

  it('shows a user only their own entries', async () => {
    const adaEntries = (await logsOf(ada)).entries
    expect(adaEntries.length).toBeGreaterThan(0)
    const bobEntries = (await logsOf(bob)).entries
    expect(bobEntries).toEqual([])
    // Naming Ada's instance gets Bob a 404, not her entries.
    expect((await api(server, bob.accessToken, 'GET', '/v1/logs?instance=logged')).status).toBe(404)
    expect((await api(server, undefined, 'GET', '/v1/logs')).status).toBe(401)
  })

  it('pages with after_id and limit, and filters by time', async () => {
    for (let i = 0; i < 3; i++) await api(server, bob.accessToken, 'GET', '/v1/tokens')
    const all = await logsOf(bob)
    expect(all.entries.length).toBe(3)
    const first = await logsOf(bob, '?limit=2')
    // Without after_id: the newest, oldest first.
    expect(first.entries.map((e) => e.id)).toEqual(all.entries.slice(1).map((e) => e.id))
    const after = await logsOf(bob, `?after_id=${all.entries[0]!.id}&limit=1`)
    expect(after.entries.map((e) => e.id)).toEqual([all.entries[1]!.id])
    expect(after.next_after_id).toBe(all.entries[1]!.id)
    const none = await logsOf(bob, `?after_id=${all.next_after_id}`)
    expect(none).toEqual({entries: [], next_after_id: all.next_after_id})
    expect((await logsOf(bob, `?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).entries).toEqual([])
    expect((await api(server, bob.accessToken, 'GET', '/v1/logs?bogus=1')).status).toBe(400)
    expect((await api(server, bob.accessToken, 'GET', '/v1/logs?limit=100000')).status).toBe(400)
  })

  it('deletes entries older than the retention window and keeps the rest', async () => {
    const old = new Date(Date.now() - server.ctx.config.logRetentionMs - 60_000)
    await server.ctx.db.asSystem(async (q) => {
      for (let i = 0; i < 3; i++) {
        await q.query(`INSERT INTO access_log (user_id, at, kind, method, route, status) VALUES ($1, $2, 'request', 'GET', '/v1/old', 200)`, [ada.userId, old])
      }
    })
    const count = async (route: string) =>
      (await server.ctx.db.asSystem((q) => q.query<{n: number}>(`SELECT count(*)::int AS n FROM access_log WHERE route = $1`, [route])))[0]!.n
    expect(await count('/v1/old')).toBe(3)
    const kept = await count('/v1/me')
    expect(await sweepOldLogs(server.ctx)).toBe(3)
    expect(await count('/v1/old')).toBe(0)
    expect(await count('/v1/me')).toBe(kept)
    expect(kept).toBeGreaterThan(0)
  })
})
