import {z} from 'zod'

/** `POST /admin/drain` takes no options (an empty object, or no body). */
export const drainRequestSchema = z.strictObject({})

/** `clawd server drain`: what moved where, and what could not. */
export const drainedInstanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  to: z.string(),
  was: z.string(),
  bytes: z.number(),
  ms: z.number(),
})
export const drainResponseSchema = z.object({
  replica: z.string(),
  moved: z.array(drainedInstanceSchema),
  failed: z.array(z.object({id: z.string(), name: z.string(), reason: z.string()})),
})
export type DrainResponse = z.infer<typeof drainResponseSchema>
