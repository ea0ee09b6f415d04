import {pageQuerySchema} from '../../contract/page.js'
import type {FastifyInstance} from 'fastify'
import {z} from 'zod'
import {createTokenRequestSchema} from '../../contract/auth.js'
import {createApiToken, listApiTokens, revokeApiToken} from '../auth/api-tokens.js'
import {requireAuth} from '../auth/authenticate.js'
import type {ServerContext} from '../context.js'
import {validate} from '../validate.js'

export {MAX_API_TOKENS} from '../auth/api-tokens.js'

const tokenIdParams = z.strictObject({id: z.string().max(64)})

/** Personal API tokens for CI (`clawd tokens ...`). The token itself is in the create response only. */
export async function tokenRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const auth = requireAuth(ctx)

  app.post('/v1/tokens', {preHandler: auth}, async (req, reply) => {
    const body = validate(createTokenRequestSchema, req.body)
    const created = await createApiToken(ctx, req.auth!.userId, body)
    reply.code(201).header('cache-control', 'no-store')
    return created
  })

  app.get('/v1/tokens', {preHandler: auth}, async (req) => listApiTokens(ctx, req.auth!.userId, validate(pageQuerySchema, req.query ?? {}, 'query')))

  app.delete('/v1/tokens/:id', {preHandler: auth}, async (req, reply) => {
    const {id} = validate(tokenIdParams, req.params, 'path')
    await revokeApiToken(ctx, req.auth!.userId, id)
    return reply.code(204).send()
  })
}
