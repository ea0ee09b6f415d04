import {randomBytes} from 'node:crypto'
import pg from 'pg'
import type {Db} from '../../src/server/store/db.js'
import {migrate} from '../../src/server/store/migrate.js'
import {openPglite} from '../../src/server/store/pglite.js'
import {openPostgres} from '../../src/server/store/postgres.js'

export const postgresUrl = process.env.CLAWD_TEST_DATABASE_URL

export interface TestStore {
  db: Db
  /** Connection settings for a server process to use the same store. */
  databaseUrl?: string
  schema?: string
  dispose(): Promise<void>
}

/** The store kinds a suite runs against: PGlite always, PostgreSQL when CLAWD_TEST_DATABASE_URL is set. */
export const storeKinds: Array<'pglite' | 'postgres'> = postgresUrl ? ['pglite', 'postgres'] : ['pglite']

/** A migrated store; on PostgreSQL each one gets its own schema, dropped afterwards. */
export async function openTestStore(kind: 'pglite' | 'postgres'): Promise<TestStore> {
  if (kind === 'pglite') {
    const db = await openPglite(undefined)
    await migrate(db)
    return {db, dispose: () => db.close()}
  }
  if (!postgresUrl) throw new Error('CLAWD_TEST_DATABASE_URL is not set')
  const schema = 'clawd_t_' + randomBytes(6).toString('hex')
  const db = await openPostgres(postgresUrl, {schema, max: 4})
  await migrate(db)
  return {
    db,
    databaseUrl: postgresUrl,
    schema,
    async dispose() {
      await db.close()
      await dropSchema(schema)
    },
  }
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({connectionString: postgresUrl})
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } finally {
    await client.end()
  }
}
