import {existsSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import type {Db, Queryable} from './db.js'

/**
 * Data dirs made before the embedded store was real PostgreSQL keep their database in PGlite's
 * files under `<data-dir>/db` (PostgreSQL 17 compiled to WebAssembly, which PostgreSQL 18 cannot
 * open). On the first start with the new store we copy every row into the new cluster, in one
 * transaction, check the counts, and only then remove the old files: they hold the wrapped data
 * keys of every instance, and a copy left behind would defeat crypto-shredding on a later delete.
 *
 * PGlite is loaded only here, once per old data dir.
 */
export const legacyPgliteDir = (dataDir: string) => join(dataDir, 'db')

export function hasLegacyPglite(dataDir: string): boolean {
  return existsSync(join(legacyPgliteDir(dataDir), 'PG_VERSION'))
}

export interface LegacyMigration {
  tables: Array<{table: string; rows: number}>
}

/** Copies the old database into `target` (already migrated), then removes the old files. */
export async function migrateLegacyPglite(dataDir: string, target: Db): Promise<LegacyMigration> {
  const dir = legacyPgliteDir(dataDir)
  const {PGlite} = await import('@electric-sql/pglite')
  const source = await PGlite.create(dir)
  let copied: LegacyMigration
  try {
    const tables = await source.query<{table_name: string}>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'
        ORDER BY table_name`,
    )
    copied = await target.asSystem(async (q) => {
      // Rows arrive in table-name order, not in foreign-key order: skip the FK triggers for this
      // transaction only (the source database already held them consistent).
      await q.query(`SET LOCAL session_replication_role = replica`)
      const out: LegacyMigration['tables'] = []
      for (const {table_name: table} of tables.rows) out.push({table, rows: await copyTable(source, q, table)})
      await resetSequences(q)
      return {tables: out}
    })
  } finally {
    await source.close()
  }
  // Moved aside first so a crash between the two steps never leaves a half-removed database that
  // the next start would try to read.
  const aside = `${dir}.migrated`
  renameSync(dir, aside)
  rmSync(aside, {recursive: true, force: true})
  return copied
}

async function copyTable(source: {query: <R>(sql: string, params?: unknown[]) => Promise<{rows: R[]}>}, q: Queryable, table: string): Promise<number> {
  const ident = quoteIdent(table)
  const columns = (
    await source.query<{column_name: string}>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    )
  ).rows.map((r) => quoteIdent(r.column_name))
  const list = columns.join(', ')
  let total = 0
  for (let offset = 0; ; offset += 2000) {
    const page = await source.query<{rows: string | null; n: number}>(
      `SELECT json_agg(t)::text AS rows, count(*)::int AS n FROM (SELECT ${list} FROM ${ident} ORDER BY ctid LIMIT 2000 OFFSET ${offset}) t`,
    )
    const {rows, n} = page.rows[0]!
    if (!rows || n === 0) break
    await q.query(`INSERT INTO ${ident} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${ident}, $1::json)`, [rows])
    total += n
    if (n < 2000) break
  }
  const [counted] = await q.query<{count: string}>(`SELECT count(*) AS count FROM ${ident}`)
  const count = Number(counted?.count)
  if (count !== total) throw new Error(`copying ${table} from the old store: ${total} rows read, ${count} in the new store`)
  return total
}

/** bigserial columns continue after the copied ids. */
async function resetSequences(q: Queryable): Promise<void> {
  const serials = await q.query<{tbl: string; col: string; seq: string}>(
    `SELECT c.relname AS tbl, a.attname AS col, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0
        AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
  )
  for (const {tbl, col, seq} of serials) {
    await q.query(`SELECT setval($1, COALESCE((SELECT max(${quoteIdent(col)}) FROM ${quoteIdent(tbl)}), 0) + 1, false)`, [seq])
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
