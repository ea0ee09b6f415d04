import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {pruneBuckets, takeToken, takeTokens} from '../../src/server/ratelimit/bucket.js'
import {openTestStore, storeKinds, type TestStore} from '../helpers/stores.js'

describe.each(storeKinds)('token bucket on %s', (kind) => {
  let store: TestStore
  beforeAll(async () => {
    store = await openTestStore(kind)
  })
  afterAll(() => store.dispose())

  const t0 = new Date('2030-01-01T00:00:00Z')
  const at = (sec: number) => new Date(t0.getTime() + sec * 1000)

  it('allows the burst, then denies with a retry time, then refills with time', async () => {
    const limit = {key: 'test:burst', capacity: 3, refillPerSec: 0.5}
    const seen = []
    for (let i = 0; i < 4; i++) seen.push(await takeToken(store.db, limit, at(0)))
    expect(seen.map((r) => r.allowed)).toEqual([true, true, true, false])
    expect(seen.map((r) => r.remaining)).toEqual([2, 1, 0, 0])
    expect(seen[3]!.retryAfterSec).toBe(2)
    expect(seen[3]!.resetAt.toISOString()).toBe(at(6).toISOString())
    // One token is back after 2 s, not before.
    expect((await takeToken(store.db, limit, at(1))).allowed).toBe(false)
    expect((await takeToken(store.db, limit, at(2))).allowed).toBe(true)
    // Never more than the capacity, however long it rests.
    const later = await takeToken(store.db, limit, at(10_000))
    expect(later).toMatchObject({allowed: true, remaining: 2})
  })

  it('keys are independent', async () => {
    const a = {key: 'test:a', capacity: 1, refillPerSec: 0.001}
    const b = {key: 'test:b', capacity: 1, refillPerSec: 0.001}
    expect((await takeToken(store.db, a, at(0))).allowed).toBe(true)
    expect((await takeToken(store.db, a, at(0))).allowed).toBe(false)
    expect((await takeToken(store.db, b, at(0))).allowed).toBe(true)
  })

  it('uses the database clock when no time is given', async () => {
    const limit = {key: 'test:dbclock', capacity: 2, refillPerSec: 1}
    const first = await takeToken(store.db, limit)
    expect(first.allowed).toBe(true)
    const [row] = await store.db.query<{now: Date}>('SELECT now() AS now')
    expect(Math.abs(first.resetAt.getTime() - new Date(row!.now).getTime())).toBeLessThan(60_000)
  })

  it('stays exact under concurrent takes (one statement, row-locked)', async () => {
    const limit = {key: 'test:concurrent', capacity: 10, refillPerSec: 0.0001}
    const results = await Promise.all(Array.from({length: 25}, () => takeToken(store.db, limit, at(0))))
    expect(results.filter((r) => r.allowed)).toHaveLength(10)
  })

  it('takeTokens charges every bucket and reports the one that denied', async () => {
    const ip = {key: 'test:multi:ip', capacity: 5, refillPerSec: 0.01}
    const account = {key: 'test:multi:acct', capacity: 2, refillPerSec: 0.01}
    expect((await takeTokens(store.db, [ip, account], at(0))).remaining).toBe(1)
    expect((await takeTokens(store.db, [ip, account], at(0))).allowed).toBe(true)
    const third = await takeTokens(store.db, [ip, account], at(0))
    expect(third.allowed).toBe(false)
    expect(third.limit).toBe(2)
    expect((await takeToken(store.db, ip, at(0))).remaining).toBe(1)
  })

  it('prunes idle buckets', async () => {
    await takeToken(store.db, {key: 'test:old', capacity: 1, refillPerSec: 1}, new Date('2000-01-01T00:00:00Z'))
    expect(await pruneBuckets(store.db, 86_400_000)).toBeGreaterThanOrEqual(1)
    const rows = await store.db.query(`SELECT 1 FROM rate_limit_buckets WHERE key = 'test:old'`)
    expect(rows).toHaveLength(0)
  })
})
