import type {FastifyInstance} from 'fastify'
import {z} from 'zod'
import {type ApiToken, createTokenRequestSchema} from '../../contract/auth.js'
import {requireAuth} from '../auth/authenticate.js'
import {insertToken} from '../auth/token-store.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {validate} from '../validate.js'

/** Live API tokens one account may hold; more is a leak or a runaway script. */
export const MAX_API_TOKENS = 100

const tokenIdParams = z.strictObject({id: z.string().max(64)})
/** Token ids as src/server/auth/ids.ts makes them; anything else names no token. */
const TOKEN_ID = /^tok_[0-9A-Za-z]{20}$/

interface TokenRow {
  id: string
  name: string
  created_at: Date
  expires_at: Date | null
  last_used_at: Date | null
}
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)
const apiToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  created_at: new Date(r.created_at).toISOString(),
  expires_at: iso(r.expires_at),
  last_used_at: iso(r.last_used_at),
})

/** Personal API tokens for CI (`clawd tokens ...`). The token itself is in the create response only. */
export async function tokenRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const auth = requireAuth(ctx)

  app.post('/v1/tokens', {preHandler: auth}, async (req, reply) => {
    const body = validate(createTokenRequestSchema, req.body)
    const userId = req.auth!.userId
    const now = ctx.clock.now()
    const expiresAt = body.expires_in_days ? new Date(now + body.expires_in_days * 86_400_000) : null
    const created = await ctx.db.asUser(userId, async (q) => {
      const [count] = await q.query<{n: number}>(`SELECT count(*)::int AS n FROM tokens WHERE kind = 'pat' AND revoked_at IS NULL`)
      if ((count?.n ?? 0) >= MAX_API_TOKENS) {
        throw new ApiError(403, 'quota_exceeded', 'Too many API tokens', {
          detail: `An account can hold at most ${MAX_API_TOKENS} API tokens.`,
          hint: 'Revoke unused ones with `clawd tokens revoke ID`.',
        })
      }
      return insertToken(q, ctx.secrets.tokenPepper, {userId, kind: 'pat', name: body.name, createdAt: new Date(now), expiresAt})
    })
    reply.code(201).header('cache-control', 'no-store')
    return {...apiToken({id: created.id, name: body.name, created_at: new Date(now), expires_at: expiresAt, last_used_at: null}), token: created.token}
  })

  app.get('/v1/tokens', {preHandler: auth}, async (req) => {
    const rows = await ctx.db.asUser(req.auth!.userId, (q) =>
      q.query<TokenRow>(`SELECT id, name, created_at, expires_at, last_used_at FROM tokens WHERE kind = 'pat' AND revoked_at IS NULL ORDER BY created_at DESC, id`),
    )
    return {tokens: rows.map(apiToken)}
  })

  app.delete('/v1/tokens/:id', {preHandler: auth}, async (req, reply) => {
    const {id} = validate(tokenIdParams, req.params, 'path')
    if (!TOKEN_ID.test(id)) throw ApiError.notFound('API token', 'List your tokens with `clawd tokens list`.')
    // Under RLS another user's token is simply not there: 404, never 403.
    const rows = await ctx.db.asUser(req.auth!.userId, (q) =>
      q.query(`UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND kind = 'pat' AND revoked_at IS NULL RETURNING id`, [id, new Date(ctx.clock.now())]),
    )
    if (rows.length === 0) throw ApiError.notFound('API token', 'List your tokens with `clawd tokens list`.')
    return reply.code(204).send()
  })
}
