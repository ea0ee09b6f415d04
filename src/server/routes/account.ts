import type {FastifyInstance} from 'fastify'
import {api} from '../../contract/routes/index.js'
import {deleteAccount} from '../account/delete.js'
import {collectAccountExport} from '../account/export.js'
import type {ServerContext} from '../context.js'
import {serveRoutes} from '../serve.js'

/** /v1/account: the account as a whole — everything it holds, and deleting all of it. */
export async function accountRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const serve = serveRoutes(app, ctx)

  serve(api.account.export, async (req, reply) => {
    reply.header('cache-control', 'no-store')
    return collectAccountExport(ctx, req.auth!.userId)
  })

  serve(api.account.delete, async (req) => deleteAccount(ctx, req.auth!.userId, req.body.confirm_email))
}
