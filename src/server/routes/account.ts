import type {FastifyInstance} from 'fastify'
import {deleteAccountRequestSchema} from '../../contract/account.js'
import {deleteAccount} from '../account/delete.js'
import {collectAccountExport} from '../account/export.js'
import {requireAuth} from '../auth/authenticate.js'
import type {ServerContext} from '../context.js'
import {validate} from '../validate.js'

/** /v1/account: the account as a whole — everything it holds, and deleting all of it. */
export async function accountRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const auth = requireAuth(ctx)

  app.get('/v1/account/export', {preHandler: auth}, async (req, reply) => {
    reply.header('cache-control', 'no-store')
    return collectAccountExport(ctx, req.auth!.userId)
  })

  app.delete('/v1/account', {preHandler: auth}, async (req) => {
    const body = validate(deleteAccountRequestSchema, req.body)
    return deleteAccount(ctx, req.auth!.userId, body.confirm_email)
  })
}
