import type {FastifyInstance} from 'fastify'
import {
  createIncidentRequestSchema,
  incidentIdSchema,
  resolveIncidentRequestSchema,
  updateIncidentRequestSchema,
} from '../../contract/status.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {incidentBoard} from '../status/board.js'
import {addIncidentUpdate, createIncident, getIncident, openIncidentStatus} from '../status/incidents.js'
import {validate} from '../validate.js'

type IdParams = {Params: {id: string}}

const noSuchIncident = () =>
  ApiError.notFound('open incident', 'See the incidents with `clawd status`; a resolved one takes no more updates, so create a new one.')

/**
 * Operator routes for the status page: `clawd server incident create | update | resolve`. Each
 * change is an update in the timeline, so users see what was said and when.
 */
export async function adminIncidentRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const board = incidentBoard(ctx)
  const idOf = (params: {id: string}) => {
    if (!incidentIdSchema.safeParse(params.id).success) throw noSuchIncident()
    return params.id
  }

  app.post('/admin/incidents', async (req, reply) => {
    const body = validate(createIncidentRequestSchema, req.body)
    const status = body.status ?? 'investigating'
    const incident = await ctx.db.asSystem(async (q) => {
      const id = await createIncident(q, {title: body.title, impact: body.impact, status, message: body.message ?? body.title})
      return getIncident(q, id)
    })
    board.invalidate()
    ctx.log.info({incident: incident!.id, impact: body.impact}, 'operator opened an incident')
    return reply.code(201).send(incident)
  })

  app.post<IdParams>('/admin/incidents/:id/updates', async (req) => {
    const id = idOf(req.params)
    const body = validate(updateIncidentRequestSchema, req.body)
    const incident = await ctx.db.asSystem(async (q) => {
      const current = await openIncidentStatus(q, id)
      if (!current || !(await addIncidentUpdate(q, id, body.status ?? current, body.message))) throw noSuchIncident()
      return getIncident(q, id)
    })
    board.invalidate()
    return incident
  })

  app.post<IdParams>('/admin/incidents/:id/resolve', async (req) => {
    const id = idOf(req.params)
    const body = validate(resolveIncidentRequestSchema, req.body ?? {})
    const incident = await ctx.db.asSystem(async (q) => {
      if (!(await addIncidentUpdate(q, id, 'resolved', body.message ?? 'Resolved.'))) throw noSuchIncident()
      return getIncident(q, id)
    })
    board.invalidate()
    ctx.log.info({incident: id}, 'operator resolved an incident')
    return incident
  })
}
