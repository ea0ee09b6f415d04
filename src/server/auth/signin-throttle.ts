import {createHmac} from 'node:crypto'
import type {Queryable} from '../store/db.js'

/**
 * Growing delays after wrong passwords, kept per address AND email (issue 15). The old per-email
 * bucket let anyone lock a known email out: ten wrong tries from anywhere, then one a minute, kept
 * the owner out. Here a failure only slows down the address that made it, for that email: the
 * owner signing in from elsewhere is never delayed by an attacker's failures. Spreading guesses
 * over many emails from one address is bounded by the per-address bucket (limits.ts).
 *
 * The counter lives in rate_limit_buckets (no new table, and the sweeper's pruning of idle buckets
 * forgets old failures): `tokens` holds the failure count, `updated_at` the last failure.
 */
export const FREE_FAILURES = 4
export const MAX_DELAY_SEC = 15 * 60
/** Failures older than this are forgotten: a person who mistyped yesterday starts afresh. */
const FORGET_AFTER_SEC = 24 * 3600

/** Seconds to wait after `failures` wrong passwords: 0 for the first few, then 2, 4, 8 … up to 15 minutes. */
export function delayAfter(failures: number): number {
  if (failures <= FREE_FAILURES) return 0
  return Math.min(MAX_DELAY_SEC, 2 ** (failures - FREE_FAILURES))
}

/** The bucket key for an address and an email; the email is hashed (the table has no RLS). */
export function throttleKey(pepper: Buffer, ip: string, email: string): string {
  const who = createHmac('sha256', pepper).update('signin-throttle\0' + ip + '\0' + email.trim().toLowerCase()).digest('hex').slice(0, 40)
  return `signin-fail:${who}`
}

/** Seconds this address must still wait before trying this email again; 0 when it may try now. */
export async function secondsToWait(q: Queryable, key: string, now: Date): Promise<number> {
  const [row] = await q.query<{tokens: number; updated_at: Date | string}>(`SELECT tokens, updated_at FROM rate_limit_buckets WHERE key = $1`, [key])
  if (!row) return 0
  const last = new Date(row.updated_at).getTime()
  if (now.getTime() - last > FORGET_AFTER_SEC * 1000) return 0
  const until = last + delayAfter(Number(row.tokens)) * 1000
  return Math.max(0, Math.ceil((until - now.getTime()) / 1000))
}

/** Counts one wrong password from this address for this email (one statement, so concurrent failures all count). */
export async function recordFailure(q: Queryable, key: string, now: Date): Promise<void> {
  await q.query(
    `INSERT INTO rate_limit_buckets AS b (key, tokens, updated_at, allowed) VALUES ($1, 1, $2, false)
     ON CONFLICT (key) DO UPDATE SET
       tokens = CASE WHEN $2::timestamptz - b.updated_at > make_interval(secs => $3) THEN 1 ELSE b.tokens + 1 END,
       updated_at = greatest(b.updated_at, $2::timestamptz), allowed = false`,
    [key, now.toISOString(), FORGET_AFTER_SEC],
  )
}

/** A correct password clears the address's failures for that email. */
export async function clearFailures(q: Queryable, key: string): Promise<void> {
  await q.query(`DELETE FROM rate_limit_buckets WHERE key = $1`, [key])
}
