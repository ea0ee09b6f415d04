import type {ServerContext} from '../context.js'

export type Plan = ServerContext['config']['plans'][string] & {name: string}

/** The user's plan from the server's configured plans; unknown plan names get the free plan. */
export async function planOf(ctx: ServerContext, userId: string): Promise<Plan> {
  const [row] = await ctx.db.asUser(userId, (q) => q.query<{plan: string}>(`SELECT plan FROM users WHERE id = $1`, [userId]))
  const name = row?.plan && ctx.config.plans[row.plan] ? row.plan : 'free'
  return {name, ...(ctx.config.plans[name] ?? {messagesPerDay: 50, concurrentStreams: 2})}
}
