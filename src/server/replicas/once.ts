import type {ServerCore} from '../core.js'

/**
 * Claims this period of a cluster-wide job: true for exactly one replica per `periodMs` (the first
 * to ask), on the database clock. A lone server always gets it.
 */
export async function claimJobRun(ctx: Pick<ServerCore, 'db' | 'cluster'>, name: string, periodMs: number): Promise<boolean> {
  const holder = ctx.cluster?.registry.self ?? 'local'
  const rows = await ctx.db.query(
    `INSERT INTO job_runs (name, holder, last_run_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET holder = $2, last_run_at = now()
       WHERE job_runs.last_run_at < now() - ($3::double precision * interval '1 millisecond')
     RETURNING name`,
    [name, holder, Math.max(0, periodMs * 0.9)],
  )
  return rows.length > 0
}
