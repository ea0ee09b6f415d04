import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {migrate} from '../../src/server/store/migrate.js'
import {openTestStore, storeKinds, type TestStore} from '../helpers/stores.js'

describe.each(storeKinds)('store on %s', (kind) => {
  let store: TestStore
  beforeAll(async () => {
    store = await openTestStore(kind)
    await store.db.asSystem(async (q) => {
      await q.query(`INSERT INTO users (id, email, password_hash) VALUES ('usr_a', 'a@example.com', 'x'), ('usr_b', 'b@example.com', 'x')`)
    })
  })
  afterAll(() => store.dispose())

  it('migrations are idempotent', async () => {
    expect(await migrate(store.db)).toEqual([])
  })

  it('as the app role with user A set, B’s rows are invisible even without a WHERE', async () => {
    const rows = await store.db.asUser('usr_a', (q) => q.query<{id: string}>('SELECT id FROM users'))
    expect(rows.map((r) => r.id)).toEqual(['usr_a'])
  })

  it('with no user set, the app role sees 0 rows (fail closed)', async () => {
    expect(await store.db.asUser(null, (q) => q.query('SELECT * FROM users'))).toHaveLength(0)
  })

  it('the app role cannot write rows for another user', async () => {
    await expect(
      store.db.asUser('usr_a', (q) => q.query(`INSERT INTO users (id, email, password_hash) VALUES ('usr_c', 'c@example.com', 'x')`)),
    ).rejects.toThrow(/row-level security/)
    const changed = await store.db.asUser('usr_a', (q) => q.query(`UPDATE users SET plan = 'pro' WHERE id = 'usr_b' RETURNING id`))
    expect(changed).toHaveLength(0)
  })

  it('the app role is not a superuser and cannot bypass RLS', async () => {
    const [role] = await store.db.asUser('usr_a', (q) =>
      q.query<{rolsuper: boolean; rolbypassrls: boolean}>(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`),
    )
    expect(role).toEqual({rolsuper: false, rolbypassrls: false})
  })

  it('the user setting does not leak out of its transaction', async () => {
    await store.db.asUser('usr_a', async () => {})
    const [row] = await store.db.asSystem((q) => q.query<{v: string | null}>(`SELECT app_user_id() AS v`))
    expect(row?.v ?? null).toBeNull()
  })
})
