import type {ServerContext} from '../context.js'
import type {RunningServer} from '../main.js'
import {claimJobRun} from '../replicas/once.js'
import {sweepAccessLog} from './access-log-read.js'

/** How often the log sweeper runs; retention is days, so this only bounds the overshoot. */
const SWEEP_EVERY_MS = 10 * 60_000

/** Deletes access-log entries older than `config.logRetentionMs` (DESIGN §1: logs are bounded). */
export async function sweepOldLogs(ctx: ServerContext): Promise<number> {
  const cutoff = new Date(ctx.clock.now() - ctx.config.logRetentionMs)
  // Each batch is its own statement (ctx.db, not one transaction), so a big backlog never holds long locks.
  return sweepAccessLog(ctx.db, cutoff)
}

/** The background job: a sweep at start and then every ten minutes (or the retention, if shorter). */
export function accessLogSweeperJob(server: RunningServer): void {
  const {ctx} = server
  const every = Math.max(1000, Math.min(SWEEP_EVERY_MS, ctx.config.logRetentionMs))
  const run = () => {
    // One replica per period sweeps (src/server/replicas/once.ts).
    claimJobRun(ctx, 'access-log-sweep', every)
      .then((mine) => (mine ? sweepOldLogs(ctx) : 0))
      .then(
        (n) => n > 0 && ctx.log.info({entries: n}, 'access log entries past retention deleted'),
        (error: Error) => ctx.log.warn({err: {type: error.name, message: error.message}}, 'access log sweep failed'),
      )
  }
  const timer = setInterval(run, every)
  timer.unref()
  const first = setTimeout(run, 0)
  first.unref()
  ctx.onClose.push(async () => {
    clearInterval(timer)
    clearTimeout(first)
  })
}
