import type {ServerContext} from '../context.js'
import type {Job} from '../job-runner.js'
import {sweepAccessLog} from './access-log-read.js'

/** How often the log sweeper runs; retention is days, so this only bounds the overshoot. */
const SWEEP_EVERY_MS = 10 * 60_000

/** Deletes access-log entries older than `config.logRetentionMs` (DESIGN §1: logs are bounded). */
export async function sweepOldLogs(ctx: ServerContext): Promise<number> {
  const cutoff = new Date(ctx.clock.now() - ctx.config.logRetentionMs)
  // Each batch is its own statement (ctx.db, not one transaction), so a big backlog never holds long locks.
  return sweepAccessLog(ctx.db, cutoff)
}

/** The background job: a sweep at start and then every ten minutes (or the retention, if shorter), by one replica per period. */
export function accessLogSweepJob(ctx: ServerContext): Job {
  return {
    name: 'access-log-sweep',
    periodMs: Math.max(1000, Math.min(SWEEP_EVERY_MS, ctx.config.logRetentionMs)),
    scope: 'cluster',
    runAtStart: true,
    failure: 'access log sweep failed',
    async run() {
      const n = await sweepOldLogs(ctx)
      if (n > 0) ctx.log.info({entries: n}, 'access log entries past retention deleted')
    },
  }
}
