import type {Queryable} from '../store/db.js'

/**
 * Gives back one counted message (countMessage in src/server/quotas/messages.ts) when an update
 * turned out not to reach the model (a pairing code, a duplicate, a group message without a
 * mention): counting first and refunding after keeps the count atomic, so it never overshoots.
 */
export async function refundMessage(q: Queryable, userId: string): Promise<void> {
  await q.query(
    `UPDATE daily_usage SET messages = messages - 1
      WHERE user_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date AND messages > 0`,
    [userId],
  )
}
