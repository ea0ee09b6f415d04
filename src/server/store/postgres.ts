import pg from 'pg'
import {APP_ROLE, type Db, type Queryable} from './db.js'

/** A PostgreSQL URL, or socket settings (the embedded cluster's). */
export type PostgresTarget = string | {host: string; user: string; database: string}

export interface PostgresOptions {
  schema?: string
  max?: number
  /** `embedded` when the cluster is ours, under the data dir. */
  kind?: Db['kind']
  /** Runs after the pool has ended (the embedded cluster stops here). */
  afterClose?: () => Promise<void>
}

/**
 * PostgreSQL through a `pg` pool. `schema` isolates one deployment (or one test) in a shared
 * database: every connection's search_path is set to it.
 */
export async function openPostgres(target: PostgresTarget, opts: PostgresOptions = {}): Promise<Db> {
  const schema = opts.schema ?? 'clawd'
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name: ${schema}`)
  const pool = new pg.Pool({
    ...(typeof target === 'string' ? {connectionString: target} : target),
    max: opts.max ?? 10,
    options: `-c search_path=${schema},public`,
    connectionTimeoutMillis: 5000,
  })
  // A dropped idle connection (PostgreSQL restarting) must not crash the server.
  pool.on('error', () => {})
  const bootstrap = await pool.connect()
  try {
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
  } finally {
    bootstrap.release()
  }

  const wrap = (c: {query: pg.Pool['query']}): Queryable => ({
    async query<R>(sql: string, params: unknown[] = []) {
      const res = await c.query(sql, params)
      return res.rows as R[]
    },
    async exec(sql: string) {
      // Without parameters pg uses the simple protocol, which runs several statements.
      await c.query(sql)
    },
  })
  async function inTransaction<T>(begin: (c: pg.PoolClient) => string, fn: (q: Queryable) => Promise<T>) {
    const client = await pool.connect()
    // A checked-out client whose connection dies between two queries (PostgreSQL restarting)
    // emits 'error' with no listener of the pool's: unhandled, it would kill the API. The failure
    // reaches the caller through the next query instead, and the broken client is discarded.
    let broken: Error | undefined
    const onError = (error: Error) => (broken = error)
    client.on('error', onError)
    try {
      await client.query(begin(client))
      const out = await fn(wrap(client))
      await client.query('COMMIT')
      return out
    } catch (error) {
      if (!broken) await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.off('error', onError)
      client.release(broken)
    }
  }
  return {
    kind: opts.kind ?? 'postgres',
    ...wrap(pool),
    asUser(userId, fn) {
      // One round trip to enter the transaction as the user (the simple protocol runs the three
      // statements together): the id is a literal escaped by pg, not a parameter.
      return inTransaction((c) => `BEGIN; SET LOCAL ROLE ${APP_ROLE}; SELECT set_config('app.user_id', ${c.escapeLiteral(userId ?? '')}, true)`, fn)
    },
    asSystem(fn) {
      return inTransaction(() => 'BEGIN', fn)
    },
    async close() {
      try {
        await pool.end()
      } finally {
        await opts.afterClose?.()
      }
    },
  }
}
