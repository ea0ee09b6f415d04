import type {FastifyInstance} from 'fastify'
import type {ServerContext} from '../context.js'

/** Liveness and readiness: answers 200 only when the store answers. */
export async function healthRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get('/healthz', async (_req, reply) => {
    try {
      await ctx.db.query('SELECT 1')
      return {status: 'ok', store: ctx.db.kind}
    } catch {
      return reply.code(503).send({status: 'unavailable', store: ctx.db.kind})
    }
  })
}
