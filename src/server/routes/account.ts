import type {FastifyInstance} from 'fastify'
import {api} from '../../contract/routes/index.js'
import {deleteAccount} from '../account/delete.js'
import {collectAccountExport} from '../account/export.js'
import {createApiToken, listApiTokens, revokeApiToken} from '../auth/api-tokens.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {planAllows, planNamed} from '../quotas/plans.js'
import {serveRoutes} from '../serve.js'

/**
 * The account: /v1/me (the account and the credential this request used: what `clawd whoami`
 * shows), its personal API tokens for CI (`clawd tokens ...`; the token itself is in the create
 * response only), and /v1/account: everything it holds, and deleting all of it.
 */
export async function accountRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const serve = serveRoutes(app, ctx)

  serve(api.me.get, async (req) => {
    const auth = req.auth!
    const [user] = await ctx.db.asUser(auth.userId, (q) =>
      q.query<{id: string; email: string; plan: string; created_at: Date}>(`SELECT id, email, plan, created_at FROM users WHERE id = $1`, [auth.userId]),
    )
    if (!user) throw ApiError.unauthenticated('The account for this token no longer exists.')
    return {
      id: user.id,
      email: user.email,
      plan: user.plan,
      plan_allows: planAllows(planNamed(ctx.config, user.plan)),
      created_at: new Date(user.created_at).toISOString(),
      // /v1/me takes bearer tokens only (requireAuth), never a browser session.
      token: {id: auth.tokenId, kind: auth.tokenKind as 'at' | 'pat', expires_at: auth.expiresAt?.toISOString() ?? null},
    }
  })

  serve(api.tokens.create, async (req, reply) => {
    reply.header('cache-control', 'no-store')
    return createApiToken(ctx, req.auth!.userId, req.body)
  })

  serve(api.tokens.list, async (req) => listApiTokens(ctx, req.auth!.userId, req.query))

  serve(api.tokens.revoke, async (req, reply) => {
    await revokeApiToken(ctx, req.auth!.userId, req.params.id)
    return reply.send()
  })

  serve(api.account.export, async (req, reply) => {
    reply.header('cache-control', 'no-store')
    return collectAccountExport(ctx, req.auth!.userId)
  })

  serve(api.account.delete, async (req) => deleteAccount(ctx, req.auth!.userId, req.body.confirm_email))
}
