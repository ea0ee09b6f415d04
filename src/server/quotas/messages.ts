import type {Db, Queryable} from '../store/db.js'
import {ApiError} from '../errors.js'
import type {Plan} from './plans.js'

/**
 * Counts one message against the plan's daily quota (the UTC day on the database clock) in one
 * conditional upsert, so several API processes never overshoot. False when the quota is spent.
 */
export async function countMessage(q: Queryable, userId: string, plan: Plan): Promise<boolean> {
  if (plan.messagesPerDay <= 0) return false
  const rows = await q.query(
    `INSERT INTO daily_usage (user_id, day, messages) VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 1)
     ON CONFLICT (user_id, day) DO UPDATE SET messages = daily_usage.messages + 1
       WHERE daily_usage.messages < $2
     RETURNING messages`,
    [userId, plan.messagesPerDay],
  )
  return rows.length > 0
}

/** The 429 for a spent daily quota, saying when it resets (the next UTC midnight). */
export async function messageQuotaExceeded(db: Db, plan: Plan): Promise<ApiError> {
  const [row] = await db.query<{resets: Date}>(`SELECT (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC' AS resets`)
  const resets = new Date(row!.resets)
  return ApiError.quota(
    `You have sent the ${plan.messagesPerDay} messages a day the ${plan.name} plan allows.`,
    `The limit resets at ${resets.toISOString()}.`,
    resets,
  )
}
