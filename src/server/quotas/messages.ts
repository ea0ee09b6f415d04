import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import type {Plan} from './plans.js'

/**
 * Counts one message against the plan's daily quota, or refuses it with a 429 that says when the
 * quota resets (the next UTC midnight, on the database clock).
 */
export async function countMessage(ctx: ServerContext, userId: string, plan: Plan): Promise<void> {
  const counted = await ctx.db.asUser(userId, async (q) => {
    if (plan.messagesPerDay <= 0) return false
    const rows = await q.query(
      `INSERT INTO daily_usage (user_id, day, messages) VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 1)
       ON CONFLICT (user_id, day) DO UPDATE SET messages = daily_usage.messages + 1
         WHERE daily_usage.messages < $2
       RETURNING messages`,
      [userId, plan.messagesPerDay],
    )
    return rows.length > 0
  })
  if (counted) return
  const [row] = await ctx.db.query<{resets: Date}>(`SELECT (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC' AS resets`)
  const resets = new Date(row!.resets)
  throw ApiError.quota(
    `You have sent the ${plan.messagesPerDay} messages a day the ${plan.name} plan allows.`,
    `The limit resets at ${resets.toISOString()}.`,
    resets,
  )
}
