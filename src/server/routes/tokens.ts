import type {FastifyInstance} from 'fastify'
import {api} from '../../contract/routes/index.js'
import {createApiToken, listApiTokens, revokeApiToken} from '../auth/api-tokens.js'
import type {ServerContext} from '../context.js'
import {serveRoutes} from '../serve.js'

export {MAX_API_TOKENS} from '../auth/api-tokens.js'

/** Personal API tokens for CI (`clawd tokens ...`). The token itself is in the create response only. */
export async function tokenRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const serve = serveRoutes(app, ctx)

  serve(api.tokens.create, async (req, reply) => {
    reply.header('cache-control', 'no-store')
    return createApiToken(ctx, req.auth!.userId, req.body)
  })

  serve(api.tokens.list, async (req) => listApiTokens(ctx, req.auth!.userId, req.query))

  serve(api.tokens.revoke, async (req, reply) => {
    await revokeApiToken(ctx, req.auth!.userId, req.params.id)
    return reply.send()
  })
}
