import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {packageRoot} from '../../paths.js'
import type {Db} from './db.js'

export const migrationsDir = join(packageRoot, 'src', 'server', 'migrations')

/**
 * Applies the plain SQL files in src/server/migrations in name order, each once, inside one
 * transaction each. An advisory lock makes concurrent starts on one PostgreSQL safe.
 * Running it again changes nothing.
 */
export async function migrate(db: Db): Promise<string[]> {
  const files = readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
  const applied: string[] = []
  await db.asSystem(async (q) => {
    await q.query(`SELECT pg_advisory_xact_lock(727274)`)
    await q.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now())`)
    const done = new Set((await q.query<{version: string}>(`SELECT version FROM schema_migrations`)).map((r) => r.version))
    for (const file of files) {
      if (done.has(file)) continue
      await q.exec(readFileSync(join(migrationsDir, file), 'utf8'))
      await q.query(`INSERT INTO schema_migrations (version) VALUES ($1)`, [file])
      applied.push(file)
    }
  })
  return applied
}
