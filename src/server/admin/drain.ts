import type {FastifyInstance} from 'fastify'
import {drainRequestSchema} from '../../contract/replicas.js'
import type {ServerContext} from '../context.js'
import {drainReplica} from '../replicas/drain.js'
import {validate} from '../validate.js'

/** POST /admin/drain: `clawd server drain`, moves every instance off this replica. */
export async function adminDrainRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.post('/admin/drain', async (req) => {
    validate(drainRequestSchema, req.body ?? {})
    const result = await drainReplica(ctx)
    ctx.log.info({moved: result.moved.length, failed: result.failed.length}, 'operator drained this replica')
    return result
  })
}
