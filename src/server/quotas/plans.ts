import type {PlanAllows} from '../../contract/plans.js'
import type {ServerConfig} from '../config.js'
import type {Queryable} from '../store/db.js'

export type Plan = ServerConfig['plans'][string] & {name: string}

/** The user's plan from the server's configured plans; unknown plan names get the free plan. */
export async function planOf(q: Queryable, config: ServerConfig, userId: string): Promise<Plan> {
  const [row] = await q.query<{plan: string}>(`SELECT plan FROM users WHERE id = $1`, [userId])
  return planNamed(config, row?.plan)
}

/** A configured plan by name; an unknown or missing name is the free plan (it grants least). */
export function planNamed(config: ServerConfig, name: string | undefined): Plan {
  const known = name && config.plans[name] ? name : 'free'
  // The free plan always exists: defaultConfig defines it and flags only change its numbers.
  return {name: known, ...config.plans[known]!}
}

/** What a plan allows, in the contract's shape (`whoami`, `instance show`). */
export function planAllows(plan: Plan): PlanAllows {
  return {name: plan.name, messages_per_day: plan.messagesPerDay, concurrent_streams: plan.concurrentStreams, tools: plan.tools === true}
}
