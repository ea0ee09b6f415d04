import type {FastifyInstance} from 'fastify'
import {api} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {openApiDocument} from '../openapi.js'
import {serveRoutes} from '../serve.js'
import {serviceStatus} from '../status/components.js'

/**
 * Liveness and readiness (200 only when the store answers), the API's own description, and
 * /v1/status: public, no token, so it answers even when signing in does not work.
 */
export async function serviceRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const serve = serveRoutes(app)
  serve(api.service.health, async (_req, reply) => {
    try {
      await ctx.db.query('SELECT 1')
      return {status: 'ok' as const, store: ctx.db.kind}
    } catch {
      return reply.code(503).send({status: 'unavailable', store: ctx.db.kind})
    }
  })
  serve(api.service.openapi, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=300')
    return openApiDocument()
  })
  serve(api.service.status, async (_req, reply) => {
    reply.header('cache-control', 'no-store')
    return serviceStatus(ctx)
  })
}
