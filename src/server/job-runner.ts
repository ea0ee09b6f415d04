import type {ServerCore} from './core.js'

/**
 * One periodic sweep of the server (instance sweeps, auth and access-log retention, the replica
 * heartbeat). A job says what it does and how often; the runner owns the timers.
 */
export interface Job {
  /** Names the job in logs, and its row in job_runs when it runs once per cluster. */
  readonly name: string
  readonly periodMs: number
  /**
   * 'cluster': one replica per period runs it (claimJobRun), for work on shared
   * rows; 'replica': every replica runs its own, for what it holds (its instances, its heartbeat).
   */
  readonly scope: 'cluster' | 'replica'
  /** Also run right after start, not only once the first period is over. */
  readonly runAtStart?: boolean
  /** What the log says when a run fails (default: `${name} failed`). */
  readonly failure?: string
  readonly failureLevel?: 'warn' | 'error'
  run(): Promise<unknown>
}

export interface StartedJob {
  /** Stops the timers; a run in flight finishes on its own, and no new one starts. */
  stop(): void
}

/**
 * Starts a job on the server's timers, stopped when the server closes. A run that fails is logged
 * and the next period retries (a job never crashes the server), and a run never overlaps itself:
 * a tick that finds the previous run still going is skipped.
 */
export function startJob(ctx: Pick<ServerCore, 'db' | 'cluster' | 'log' | 'onClose'>, job: Job): StartedJob {
  let running = false
  let stopped = false
  const tick = () => {
    if (running || stopped) return
    running = true
    void (async () => {
      if (job.scope === 'cluster' && !(await claimJobRun(ctx, job.name, job.periodMs))) return
      await job.run()
    })()
      .catch((error: Error) => ctx.log[job.failureLevel ?? 'warn']({job: job.name, err: {type: error.name, message: error.message}}, job.failure ?? `${job.name} failed`))
      .finally(() => (running = false))
  }
  const timer = setInterval(tick, job.periodMs)
  timer.unref()
  const first = job.runAtStart ? setTimeout(tick, 0) : undefined
  first?.unref()
  const started: StartedJob = {
    stop() {
      stopped = true
      clearInterval(timer)
      clearTimeout(first)
    },
  }
  ctx.onClose.push(async () => started.stop())
  return started
}

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
