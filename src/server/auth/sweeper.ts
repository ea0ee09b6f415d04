import type {ServerContext} from '../context.js'
import type {Job} from '../job-runner.js'
import {pruneBuckets} from '../ratelimit/bucket.js'

const DAY_MS = 86_400_000
const SWEEP_EVERY_MS = 10 * 60_000

export interface AuthSweep {
  deviceGrants: number
  webSessions: number
  tokens: number
  rateLimitBuckets: number
}

/**
 * Deletes auth state that can no longer do anything: device grants a day past expiry, expired
 * browser sessions, access and refresh tokens a day past expiry (a replayed refresh token that
 * old is refused for being expired, so reuse detection loses nothing), and idle rate-limit buckets.
 */
export async function sweepAuth(ctx: ServerContext): Promise<AuthSweep> {
  const now = ctx.clock.now()
  const dayAgo = new Date(now - DAY_MS)
  return ctx.db.asSystem(async (q) => ({
    deviceGrants: (await q.query(`DELETE FROM device_grants WHERE expires_at < $1 RETURNING id`, [dayAgo])).length,
    webSessions: (await q.query(`DELETE FROM web_sessions WHERE expires_at < $1 RETURNING id_hash`, [new Date(now)])).length,
    tokens: (await q.query(`DELETE FROM tokens WHERE kind IN ('at', 'rt') AND expires_at < $1 RETURNING id`, [dayAgo])).length,
    rateLimitBuckets: await pruneBuckets(q, DAY_MS),
  }))
}

/** The background job `server start` runs: a sweep every ten minutes, by one replica per period. */
export function authSweepJob(ctx: ServerContext): Job {
  // The deletes are idempotent, so an overlap across replicas would only waste work.
  return {name: 'auth-sweep', periodMs: SWEEP_EVERY_MS, scope: 'cluster', failure: 'auth sweep failed', run: () => sweepAuth(ctx)}
}
