import type {ServerConfig} from '../config.js'
import type {Queryable} from '../store/db.js'

export type Plan = ServerConfig['plans'][string] & {name: string}

/** The user's plan from the server's configured plans; unknown plan names get the free plan. */
export async function planOf(q: Queryable, config: ServerConfig, userId: string): Promise<Plan> {
  const [row] = await q.query<{plan: string}>(`SELECT plan FROM users WHERE id = $1`, [userId])
  const name = row?.plan && config.plans[row.plan] ? row.plan : 'free'
  // The free plan always exists: defaultConfig defines it and flags only change its numbers.
  return {name, ...config.plans[name]!}
}
