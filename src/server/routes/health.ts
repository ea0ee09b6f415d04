import type {FastifyInstance} from 'fastify'
import {api} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {openApiDocument} from '../openapi.js'
import {serveRoutes} from '../serve.js'

/** Liveness and readiness (200 only when the store answers), and the API's own description. */
export async function healthRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
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
}
