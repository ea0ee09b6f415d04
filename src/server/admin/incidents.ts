import type {FastifyInstance} from 'fastify'
import {adminApi} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {incidentBoard} from '../status/board.js'
import {addIncidentUpdate, createIncident, getIncident, openIncidentStatus} from '../status/incidents.js'
import {serveRoutes} from '../serve.js'

const noSuchIncident = () =>
  ApiError.notFound('open incident', 'See the incidents with `clawd status`; a resolved one takes no more updates, so create a new one.')

/**
 * Operator routes for the status page: `clawd server incident create | update | resolve`. Each
 * change is an update in the timeline, so users see what was said and when.
 */
export async function adminIncidentRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const board = incidentBoard(ctx)
  const serve = serveRoutes(app)

  serve(adminApi.createIncident, async (req) => {
    const body = req.body
    const status = body.status ?? 'investigating'
    const incident = await ctx.db.asSystem(async (q) => {
      const id = await createIncident(q, {title: body.title, impact: body.impact, status, message: body.message ?? body.title})
      return getIncident(q, id)
    })
    board.invalidate()
    ctx.log.info({incident: incident!.id, impact: body.impact}, 'operator opened an incident')
    return incident!
  })

  serve(adminApi.updateIncident, async (req) => {
    const {params: {id}, body} = req
    const incident = await ctx.db.asSystem(async (q) => {
      const current = await openIncidentStatus(q, id)
      if (!current || !(await addIncidentUpdate(q, id, body.status ?? current, body.message))) throw noSuchIncident()
      return getIncident(q, id)
    })
    board.invalidate()
    return incident!
  })

  serve(adminApi.resolveIncident, async (req) => {
    const {params: {id}, body} = req
    const incident = await ctx.db.asSystem(async (q) => {
      if (!(await addIncidentUpdate(q, id, 'resolved', body.message ?? 'Resolved.'))) throw noSuchIncident()
      return getIncident(q, id)
    })
    board.invalidate()
    ctx.log.info({incident: id}, 'operator resolved an incident')
    return incident!
  })
}
