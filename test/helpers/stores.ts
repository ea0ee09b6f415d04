import {randomBytes} from 'node:crypto'
import pg from 'pg'
import type {Db} from '../../src/server/store/db.js'
import {tempDir} from './tmp.js'
import {migrate} from '../../src/server/store/migrate.js'
import {openEmbeddedStore} from '../../src/server/store/embedded/index.js'
import {openPostgres} from '../../src/server/store/postgres.js'

export const postgresUrl = process.env.CLAWD_TEST_DATABASE_URL

export interface TestStore {
  db: Db
  /** Connection settings for a server process to use the same store. */
  databaseUrl?: string
  schema?: string
  dispose(): Promise<void>
}

export type StoreKind = 'embedded' | 'postgres'

/** The store kinds a suite runs against: the embedded cluster always, PostgreSQL when CLAWD_TEST_DATABASE_URL is set. */
export const storeKinds: StoreKind[] = postgresUrl ? ['embedded', 'postgres'] : ['embedded']

/** A migrated store; on PostgreSQL each one gets its own schema, dropped afterwards. */
export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'embedded') {
    const dir = tempDir('clawd-pg-')
    const db = await openEmbeddedStore(dir.path)
    await migrate(db)
    return {
      db,
      async dispose() {
        await db.close()
        dir.dispose()
      },
    }
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

/** A stopped server's embedded store, started again on its data dir for a test to read. */
export async function openDataDirStore(dataDir: string): Promise<Db> {
  return openEmbeddedStore(dataDir)
}
