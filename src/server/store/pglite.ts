import {PGlite} from '@electric-sql/pglite'
import {type Db, type Queryable, enterUserSql} from './db.js'

/**
 * PGlite keeps the database in the data dir. It is single-connection: its own lock serialises
 * transactions, so `asUser` and `asSystem` never interleave statements.
 */
export async function openPglite(dataDir: string | undefined): Promise<Db> {
  const pg = dataDir ? await PGlite.create(dataDir) : await PGlite.create()
  const run = (q: {query: PGlite['query']; exec: PGlite['exec']}): Queryable => ({
    async query<R>(sql: string, params: unknown[] = []) {
      const res = await q.query<R>(sql, params as never[])
      return res.rows
    },
    async exec(sql: string) {
      await q.exec(sql)
    },
  })
  const root = run(pg)
  return {
    kind: 'pglite',
    query: root.query,
    exec: root.exec,
    asUser(userId, fn) {
      return pg.transaction(async (tx) => {
        await tx.query(enterUserSql[0])
        await tx.query(enterUserSql[1], [userId ?? ''])
        return fn(run(tx))
      })
    },
    asSystem(fn) {
      return pg.transaction(async (tx) => fn(run(tx)))
    },
    async close() {
      await pg.close()
    },
  }
}
