import type {FastifyInstance} from 'fastify'
import {api} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {planAllows, planNamed} from '../quotas/plans.js'
import {serveRoutes} from '../serve.js'

/** GET /v1/me: the account and the credential this request used (what `clawd whoami` shows). */
export async function meRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  serveRoutes(app, ctx)(api.me.get, async (req) => {
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
}
