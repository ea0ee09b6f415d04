import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openTestStore, storeKinds, type TestStore} from '../helpers/stores.js'

/**
 * The auth tables under row-level security, as the app role: a user sees and changes only their
 * own rows, and with no user set nothing at all (fail closed).
 */
describe.each(storeKinds)('auth tables under RLS on %s', (kind) => {
  let store: TestStore
  beforeAll(async () => {
    store = await openTestStore(kind)
    const t = new Date('2030-01-01T00:00:00Z')
    const later = new Date('2030-01-02T00:00:00Z')
    await store.db.asSystem(async (q) => {
      await q.query(`INSERT INTO users (id, email, password_hash) VALUES ('usr_a', 'a@example.com', 'x'), ('usr_b', 'b@example.com', 'x')`)
      await q.query(
        `INSERT INTO tokens (id, user_id, kind, hash, name, created_at, expires_at) VALUES
         ('tok_a1', 'usr_a', 'pat', 'hash-a1', 'a ci', $1, NULL), ('tok_a2', 'usr_a', 'at', 'hash-a2', NULL, $1, $2),
         ('tok_b1', 'usr_b', 'pat', 'hash-b1', 'b ci', $1, NULL)`,
        [t, later],
      )
      await q.query(`INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at) VALUES ('s-a', 'usr_a', $1, $2), ('s-b', 'usr_b', $1, $2)`, [t, later])
      await q.query(
        `INSERT INTO device_grants (id, device_code_hash, user_code, status, client_id, requested_at, expires_at, "interval", user_id) VALUES
         ('dev_a', 'dc-a', 'BBBBBBBB', 'approved', 'c', $1, $2, 5, 'usr_a'),
         ('dev_b', 'dc-b', 'CCCCCCCC', 'approved', 'c', $1, $2, 5, 'usr_b'),
         ('dev_none', 'dc-n', 'DDDDDDDD', 'pending', 'c', $1, $2, 5, NULL)`,
        [t, later],
      )
    })
  })
  afterAll(() => store.dispose())

  const tables = [
    ['tokens', 'id', ['tok_a1', 'tok_a2']],
    ['web_sessions', 'id_hash', ['s-a']],
    ['device_grants', 'id', ['dev_a']],
  ] as const

  it.each(tables)('%s: user A sees only A’s rows, even without a WHERE', async (table, idCol, mine) => {
    const rows = await store.db.asUser('usr_a', (q) => q.query<{id: string}>(`SELECT ${idCol} AS id FROM ${table} ORDER BY 1`))
    expect(rows.map((r) => r.id)).toEqual([...mine])
  })

  it.each(tables)('%s: with no user set, the app role sees 0 rows', async (table) => {
    expect(await store.db.asUser(null, (q) => q.query(`SELECT * FROM ${table}`))).toHaveLength(0)
  })

  it('A cannot revoke, read by hash, or create tokens for B', async () => {
    const revoked = await store.db.asUser('usr_a', (q) => q.query(`UPDATE tokens SET revoked_at = now() WHERE id = 'tok_b1' RETURNING id`))
    expect(revoked).toHaveLength(0)
    expect(await store.db.asUser('usr_a', (q) => q.query(`SELECT id FROM tokens WHERE hash = 'hash-b1'`))).toHaveLength(0)
    await expect(
      store.db.asUser('usr_a', (q) => q.query(`INSERT INTO tokens (id, user_id, kind, hash, created_at) VALUES ('tok_x', 'usr_b', 'pat', 'hash-x', now())`)),
    ).rejects.toThrow(/row-level security/)
    const deleted = await store.db.asUser('usr_a', (q) => q.query(`DELETE FROM tokens WHERE user_id = 'usr_b' RETURNING id`))
    expect(deleted).toHaveLength(0)
    const [row] = await store.db.asSystem((q) => q.query<{revoked_at: Date | null}>(`SELECT revoked_at FROM tokens WHERE id = 'tok_b1'`))
    expect(row?.revoked_at).toBeNull()
  })

  it('A cannot claim an unowned device grant as the app role', async () => {
    const claimed = await store.db.asUser('usr_a', (q) => q.query(`UPDATE device_grants SET user_id = 'usr_a', status = 'approved' WHERE id = 'dev_none' RETURNING id`))
    expect(claimed).toHaveLength(0)
  })

  it('A cannot end B’s browser sessions', async () => {
    expect(await store.db.asUser('usr_a', (q) => q.query(`DELETE FROM web_sessions WHERE id_hash = 's-b' RETURNING id_hash`))).toHaveLength(0)
  })
})
