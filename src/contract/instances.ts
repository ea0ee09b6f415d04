import {z} from 'zod'
import {nextCursorSchema} from './page.js'
import {planAllowsSchema} from './plans.js'
import {modelRefSchema} from './stream.js'
import {instanceToolsSchema, toolProfileSchema} from './tool-policy.js'

/**
 * creating → running → pausing → paused → resuming → running, then deleting; failed with a reason.
 * Transitional states never outlive a server restart: start-up reconciles them.
 */
export const INSTANCE_STATES = ['creating', 'running', 'pausing', 'paused', 'resuming', 'deleting', 'failed'] as const
export type InstanceState = (typeof INSTANCE_STATES)[number]
/**
 * What the API reports: the stored state, or `unavailable` when the API replica that runs the
 * instance is gone (failure_reason says which and since when). Never stored.
 */
export const reportedStateSchema = z.enum([...INSTANCE_STATES, 'unavailable'])
export const TRANSITIONAL_STATES: readonly InstanceState[] = ['creating', 'pausing', 'resuming', 'deleting']

/** DNS-label-like: lowercase letters, digits and inner hyphens, 1–32 characters. */
export const instanceNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'use 1–32 lowercase letters, digits and inner hyphens (like a DNS label)')

/** Instance ids look like `ins_` + 20 base32 characters, so an id never collides with a name. */
export const instanceIdSchema = z.string().regex(/^ins_[a-z2-7]{20}$/)
/** Every command accepts the id or the name. */
export const instanceRefSchema = z.union([instanceIdSchema, instanceNameSchema])

export const isolationSchema = z.object({
  mode: z.enum(['bwrap', 'process']),
  namespaces: z.array(z.string()),
  note: z.string().optional(),
})
export type Isolation = z.infer<typeof isolationSchema>

export const instanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: reportedStateSchema,
  failure_reason: z.string().nullable(),
  /** The API replica that runs it (several API processes on one PostgreSQL), if any. */
  replica: z.string().nullable().optional(),
  model: z.string(),
  created_at: z.string(),
  last_active_at: z.string(),
  /** When the idle timeout will pause it, if it stays idle (running only). */
  pauses_at: z.string().nullable(),
  /** When it will be deleted for inactivity, if nobody uses it. */
  removes_at: z.string(),
  isolation: isolationSchema.nullable(),
  /** The tool policy, and the tools a message gets today (none unless the plan allows tools). */
  tools: instanceToolsSchema,
  /** The owner's plan and what it allows. */
  plan: planAllowsSchema,
})
export type Instance = z.infer<typeof instanceSchema>

export const createInstanceRequestSchema = z.strictObject({
  name: instanceNameSchema.optional(),
  model: modelRefSchema.optional(),
  /** The tool profile; default `coding` on a plan with tools, else `minimal`. */
  tools: toolProfileSchema.optional(),
})
export const updateInstanceRequestSchema = z.strictObject({
  model: modelRefSchema,
})
/** GET /v1/instances: oldest first, a page at a time (`?limit=&cursor=`, src/contract/page.ts). */
export const listInstancesResponseSchema = z.object({instances: z.array(instanceSchema), next_cursor: nextCursorSchema})

export const instanceEventSchema = z.object({
  at: z.string(),
  instance_id: z.string().nullable(),
  event: z.string(),
  detail: z.record(z.string(), z.unknown()).nullable(),
})
/** `?limit=`: how many of the newest events (1–1000, default 100); a value out of range is clamped, not refused. */
export const instanceEventsQuerySchema = z.object({
  limit: z.unknown().optional().transform((v) => Math.min(Math.max(Number(v ?? 100) || 100, 1), 1000)),
})
export const instanceEventsResponseSchema = z.object({events: z.array(instanceEventSchema)})
export const deleteInstanceResponseSchema = z.object({id: z.string(), name: z.string(), deleted: z.literal(true)})
