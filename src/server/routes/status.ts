import type {FastifyInstance} from 'fastify'
import {api} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {serveRoutes} from '../serve.js'
import {serviceStatus} from '../status/components.js'

/** GET /v1/status: public, no token, so it answers even when signing in does not work. */
export async function statusRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  serveRoutes(app)(api.service.status, async (_req, reply) => {
    reply.header('cache-control', 'no-store')
    return serviceStatus(ctx)
  })
}
