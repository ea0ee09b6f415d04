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

  it('a user id that tries to break out of its literal is only an id nobody has', async () => {
    for (const hostile of ["usr_a' OR true --", "'; RESET ROLE; SELECT '", "usr_a\\'; DROP TABLE users; --", 'usr_a$$; DROP TABLE users; $$']) {
      const rows = await store.db.asUser(hostile, (q) => q.query<{id: string; who: string}>(`SELECT id, current_user AS who FROM users`))
      expect(rows).toHaveLength(0)
      const [me] = await store.db.asUser(hostile, (q) => q.query<{who: string; uid: string}>(`SELECT current_user AS who, current_setting('app.user_id') AS uid`))
      expect(me).toEqual({who: 'clawd_app', uid: hostile})
    }
    expect(await store.db.asSystem((q) => q.query('SELECT id FROM users ORDER BY id'))).toEqual([{id: 'usr_a'}, {id: 'usr_b'}])
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
