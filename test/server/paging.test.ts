import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newId} from '../../src/ids.js'
import {insertInstance} from '../../src/server/instances/repo.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'

/** Lists are read a page at a time (limit, cursor, next_cursor), each row exactly once. */
describe('paged lists', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let user: TestUser
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, {headers: {authorization: `Bearer ${user.accessToken}`}})
    return {status: res.status, body: (await res.json()) as any}
  }
  async function all(path: string, key: string, limit: number): Promise<string[]> {
    const ids: string[] = []
    let cursor: string | null = null
    do {
      const page = await get(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
      expect(page.status, JSON.stringify(page.body)).toBe(200)
      expect(page.body[key].length).toBeLessThanOrEqual(limit)
      ids.push(...page.body[key].map((x: {id: string}) => x.id))
      cursor = page.body.next_cursor
    } while (cursor)
    return ids
  }

  beforeAll(async () => {
    server = await startTestServer((c) => {
      c.instances.maxPerUser = 100
    })
    user = await newUser(server)
  })
  afterAll(() => server?.dispose())

  it('tokens: newest first, every one once, in pages of the asked size', async () => {
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${server.url}/v1/tokens`, {
        method: 'POST',
        headers: {authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json'},
        body: JSON.stringify({name: `t${i}`}),
      })
      expect(res.status).toBe(201)
    }
    const full = (await get('/v1/tokens')).body
    expect(full.next_cursor).toBeNull()
    expect(full.tokens.map((t: {name: string}) => t.name)).toEqual(['t6', 't5', 't4', 't3', 't2', 't1', 't0'])
    expect(await all('/v1/tokens', 'tokens', 3)).toEqual(full.tokens.map((t: {id: string}) => t.id))
  })

  it('instances: oldest first, every one once, including rows made in the same microsecond', async () => {
    await server.ctx.db.asSystem(async (q) => {
      for (let i = 0; i < 12; i++) await insertInstance(q, {id: newId('ins'), userId: user.userId, name: `p${String(i).padStart(2, '0')}`, model: 'dev/echo', wrappedDataKey: 'x'})
      // Same created_at for several rows: the id orders them, and the cursor keeps the full precision.
      await q.query(`UPDATE instances SET created_at = '2026-01-01T00:00:00.123456Z' WHERE name IN ('p03', 'p04', 'p05', 'p06')`)
    })
    const full = (await get('/v1/instances?limit=200')).body
    expect(full.instances).toHaveLength(12)
    expect(full.next_cursor).toBeNull()
    for (const limit of [1, 4, 5]) expect(await all('/v1/instances', 'instances', limit)).toEqual(full.instances.map((i: {id: string}) => i.id))
  })

  it('refuses a limit out of range or a cursor it did not give out, with what to do', async () => {
    for (const q of ['limit=0', 'limit=201', 'limit=abc', 'cursor=%21%21', `cursor=${Buffer.from('x|y').toString('base64url')}`, 'cursor=abc&bogus=1']) {
      const res = await get(`/v1/instances?${q}`)
      expect(res.status, q).toBe(400)
      expect(res.body.code ?? res.body.type, q).toBeTruthy()
    }
  })
})
