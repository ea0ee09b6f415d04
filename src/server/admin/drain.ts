import type {FastifyInstance} from 'fastify'
import {adminApi} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {drainReplica} from '../replicas/drain.js'
import {serveRoutes} from '../serve.js'

/** POST /admin/drain: `clawd server drain`, moves every instance off this replica. */
export async function adminDrainRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  serveRoutes(app)(adminApi.drain, async () => {
    const result = await drainReplica(ctx)
    ctx.log.info({moved: result.moved.length, failed: result.failed.length}, 'operator drained this replica')
    return result
  })
}
