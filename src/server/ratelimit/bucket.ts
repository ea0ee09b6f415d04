import {ApiError} from '../errors.js'
import type {Queryable} from '../store/db.js'

/**
 * A token bucket kept in PostgreSQL and evaluated in ONE statement on the database clock, so
 * several API processes sharing a database enforce one limit without a race: the upsert's row
 * lock serialises concurrent takes on a key, and no process's own clock is trusted.
 */
export interface RateLimit {
  /** What is limited, e.g. `device-code:ip:203.0.113.7`. */
  key: string
  /** Most tokens the bucket holds (the burst). */
  capacity: number
  /** Tokens added back per second. */
  refillPerSec: number
  /** Tokens this request takes; 1 unless a request is heavier. */
  cost?: number
}

export interface RateLimitResult {
  allowed: boolean
  limit: number
  /** Whole tokens left after this take. */
  remaining: number
  /** When the bucket will be full again if nothing more is taken. */
  resetAt: Date
  /** Seconds until this request would be allowed; 0 when it was. */
  retryAfterSec: number
}

// The refilled level is computed once in a sub-select and used for the level, the verdict and
// the time; `$5` overrides the database clock only in tests.
const TAKE_SQL = `
INSERT INTO rate_limit_buckets AS b (key, tokens, updated_at, allowed)
VALUES ($1, CASE WHEN $4::float8 <= $2::float8 THEN $2::float8 - $4::float8 ELSE $2::float8 END,
        coalesce($5::timestamptz, now()), $4::float8 <= $2::float8)
ON CONFLICT (key) DO UPDATE SET (tokens, allowed, updated_at) = (
  SELECT CASE WHEN r.level >= $4::float8 THEN r.level - $4::float8 ELSE r.level END,
         r.level >= $4::float8,
         r.at
  FROM (
    SELECT least($2::float8, b.tokens + greatest(0, extract(epoch FROM (t.at - b.updated_at)))::float8 * $3::float8) AS level,
           greatest(b.updated_at, t.at) AS at
    FROM (SELECT coalesce($5::timestamptz, now()) AS at) t
  ) r
)
RETURNING tokens, allowed, updated_at`

export async function takeToken(q: Queryable, limit: RateLimit, at?: Date): Promise<RateLimitResult> {
  const cost = limit.cost ?? 1
  if (!(limit.capacity > 0) || !(limit.refillPerSec > 0) || !(cost >= 0)) throw new Error(`invalid rate limit for ${limit.key}`)
  const [row] = await q.query<{tokens: number; allowed: boolean; updated_at: Date | string}>(TAKE_SQL, [
    limit.key,
    limit.capacity,
    limit.refillPerSec,
    cost,
    at?.toISOString() ?? null,
  ])
  if (!row) throw new Error('rate limit upsert returned no row')
  const tokens = Number(row.tokens)
  const now = new Date(row.updated_at).getTime()
  const fullInSec = (limit.capacity - tokens) / limit.refillPerSec
  return {
    allowed: row.allowed,
    limit: limit.capacity,
    remaining: Math.max(0, Math.floor(tokens)),
    resetAt: new Date(now + Math.ceil(fullInSec * 1000)),
    retryAfterSec: row.allowed ? 0 : Math.max(1, Math.ceil((Math.min(cost, limit.capacity) - tokens) / limit.refillPerSec)),
  }
}

/**
 * Takes from several buckets (say per IP and per account) and reports the most restrictive
 * result. Every bucket is charged, so spreading attempts over accounts does not dodge the IP limit.
 */
export async function takeTokens(q: Queryable, limits: RateLimit[], at?: Date): Promise<RateLimitResult> {
  const results: RateLimitResult[] = []
  for (const limit of limits) results.push(await takeToken(q, limit, at))
  const denied = results.filter((r) => !r.allowed)
  if (denied.length > 0) return denied.reduce((a, b) => (b.retryAfterSec > a.retryAfterSec ? b : a))
  return results.reduce((a, b) => (b.remaining < a.remaining ? b : a))
}

/**
 * Deletes buckets untouched for `idleMs`: a bucket idle longer than it takes to refill is the
 * same as no bucket, so choose `idleMs` above the slowest limit's refill time.
 */
export async function pruneBuckets(q: Queryable, idleMs: number): Promise<number> {
  const rows = await q.query(`DELETE FROM rate_limit_buckets WHERE updated_at < now() - make_interval(secs => $1) RETURNING key`, [idleMs / 1000])
  return rows.length
}

/** The 429 problem for a denied take, with `Retry-After` so clients know when to come back. */
export function rateLimited(result: RateLimitResult, detail: string, hint = 'Wait a moment and try again.'): ApiError {
  const retryAt = new Date(Date.now() + result.retryAfterSec * 1000)
  return new ApiError(429, 'rate_limited', 'Too many requests', {
    detail,
    hint,
    retry_at: retryAt.toISOString(),
    headers: {'retry-after': String(result.retryAfterSec)},
  })
}
