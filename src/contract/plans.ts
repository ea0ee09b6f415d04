import {z} from 'zod'

/**
 * The service's plans (DESIGN §1): `free` is chat only with a daily message quota; `dedicated`
 * runs the agent's tools under each instance's tool policy. Their limits are the server's
 * configuration; these names are what operators and invite codes assign.
 */
export const PLAN_NAMES = ['free', 'dedicated'] as const
export const planNameSchema = z.enum(PLAN_NAMES, {error: `use one of: ${PLAN_NAMES.join(', ')}`})
export type PlanName = z.infer<typeof planNameSchema>

/** What a plan allows, as `whoami` and `instance show` report it. */
export const planAllowsSchema = z.object({
  name: z.string(),
  messages_per_day: z.number().int(),
  concurrent_streams: z.number().int(),
  /** Whether the agent may run tools at all; which ones is the instance's tool policy. */
  tools: z.boolean(),
})
export type PlanAllows = z.infer<typeof planAllowsSchema>
