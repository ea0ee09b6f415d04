import type {FastifyInstance} from 'fastify'
import {PROBLEM_CONTENT_TYPE} from '../../contract/problem.js'
import type {ServerContext} from '../context.js'
import {registerRequestRateLimits} from '../ratelimit/requests.js'
import {incidentBoard} from '../status/board.js'
import {registerAccessLog} from './access-log-hook.js'
import {AccessLogWriter} from './access-log-writer.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The access log's writer; GET /v1/logs flushes it so a reader sees its own last requests. */
    accessLog?: AccessLogWriter
  }
}

/**
 * What every API request goes through besides its route (issue 7): rate limits, the access log,
 * and the open incident named in server errors. Call before the routes are added: the per-token
 * limit attaches itself to each /v1 route as it is registered.
 */
export function registerRequestHooks(app: FastifyInstance, ctx: ServerContext): void {
  const writer = new AccessLogWriter(ctx.db, ctx.log)
  app.decorate('accessLog', writer)
  // Registered first, so even a request refused by a limit below is measured from its start.
  registerAccessLog(app, ctx, writer)
  registerRequestRateLimits(app, ctx)
  registerIncidentMention(app, ctx)
  app.addHook('onClose', async () => writer.close())
}

/**
 * While an incident is open, server-side failures (5xx problems) say so in `incident`, so the CLI
 * can tell a user that the failure is known rather than theirs.
 */
function registerIncidentMention(app: FastifyInstance, ctx: ServerContext): void {
  const board = incidentBoard(ctx)
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode < 500 || typeof payload !== 'string') return payload
    if (!String(reply.getHeader('content-type') ?? '').startsWith(PROBLEM_CONTENT_TYPE)) return payload
    const incident = await board.openIncident()
    if (!incident) return payload
    try {
      return JSON.stringify({...(JSON.parse(payload) as object), incident})
    } catch {
      return payload
    }
  })
}
