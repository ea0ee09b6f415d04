import {z} from 'zod'

/**
 * Service status (GET /v1/status, no auth): how the parts of the service are doing now, and the
 * incidents operators have posted (`clawd server incident …`), open ones and recent ones.
 */
/** GET /healthz: `ok` (200) when the store answers, else `unavailable` (503). */
export const healthResponseSchema = z.object({status: z.enum(['ok', 'unavailable']), store: z.string()})

export const componentSchema = z.object({
  /** `api`, `store`, `runtime`. */
  name: z.string(),
  status: z.enum(['operational', 'degraded', 'down']),
  /** One line for people: the store kind, the isolation mode, what failed. */
  detail: z.string().optional(),
})
export type Component = z.infer<typeof componentSchema>

export const INCIDENT_IMPACTS = ['minor', 'major', 'critical'] as const
export const incidentImpactSchema = z.enum(INCIDENT_IMPACTS)
export const OPEN_INCIDENT_STATES = ['investigating', 'identified', 'monitoring'] as const
export const incidentStateSchema = z.enum([...OPEN_INCIDENT_STATES, 'resolved'])
export const openIncidentStateSchema = z.enum(OPEN_INCIDENT_STATES)
export type IncidentState = z.infer<typeof incidentStateSchema>

export const incidentIdSchema = z.string().regex(/^inc_[a-z2-7]{20}$/)

export const incidentUpdateSchema = z.object({
  at: z.string(),
  status: incidentStateSchema,
  message: z.string(),
})

export const incidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  impact: incidentImpactSchema,
  status: incidentStateSchema,
  created_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
  /** Oldest first. */
  updates: z.array(incidentUpdateSchema),
})
export type Incident = z.infer<typeof incidentSchema>

export const statusResponseSchema = z.object({
  /** `operational` with no open incident and every component up. */
  status: z.enum(['operational', 'degraded', 'outage']),
  components: z.array(componentSchema),
  /** Open incidents first, then those resolved in the last days; newest first within each. */
  incidents: z.array(incidentSchema),
  checked_at: z.string(),
})
export type StatusResponse = z.infer<typeof statusResponseSchema>

const incidentText = z.string().trim().min(1).max(2000)

/** POST /admin/incidents (`clawd server incident create`). */
export const createIncidentRequestSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  impact: incidentImpactSchema,
  message: incidentText.optional(),
  status: openIncidentStateSchema.optional(),
})
/** POST /admin/incidents/:id/updates (`clawd server incident update`). */
export const updateIncidentRequestSchema = z.strictObject({
  message: incidentText,
  status: openIncidentStateSchema.optional(),
})
/** POST /admin/incidents/:id/resolve (`clawd server incident resolve`). */
export const resolveIncidentRequestSchema = z.strictObject({
  message: incidentText.optional(),
})
