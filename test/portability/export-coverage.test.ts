import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXPORTED_TABLES, TRANSIENT_TABLES} from '../../src/server/account/export.js'
import {openTestStore, type TestStore} from '../helpers/stores.js'

/**
 * `export --all` promises everything the service holds on a user. Every table with a user_id
 * column (and users itself) must be read by the export; a new table fails this test until it is.
 */
describe('account export coverage', () => {
  let store: TestStore
  beforeAll(async () => {
    store = await openTestStore('embedded')
  })
  afterAll(async () => {
    await store?.dispose()
  })

  it('reads every table that holds a user’s rows', async () => {
    const rows = await store.db.query<{table_name: string}>(
      `SELECT DISTINCT c.table_name FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.column_name = 'user_id'`,
    )
    const userTables = ['users', ...rows.map((r) => r.table_name)].sort()
    expect(userTables.length).toBeGreaterThan(5)
    expect([...EXPORTED_TABLES, ...TRANSIENT_TABLES].sort()).toEqual(userTables)
  })
})
