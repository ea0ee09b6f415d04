import type {FastifyInstance} from 'fastify'
import {adminApi} from '../../contract/routes/index.js'
import {type InviteRow, insertInvite, listInvites} from '../auth/invites.js'
import type {ServerContext} from '../context.js'
import {serveRoutes} from '../serve.js'

const DEFAULT_TTL_SEC = 7 * 24 * 3600

const view = (row: InviteRow) => ({
  id: row.id,
  plan: row.plan,
  max_uses: row.max_uses,
  uses: row.uses,
  created_at: new Date(row.created_at).toISOString(),
  expires_at: new Date(row.expires_at).toISOString(),
})

/**
 * POST /admin/invites: `clawd server invites create`. The answer holds the code, once; the store
 * keeps its HMAC, and the log only the invite's id. GET /admin/invites: `server invites list`.
 */
export async function adminInviteRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const serve = serveRoutes(app)
  serve(adminApi.createInvite, async (req) => {
    const body = req.body
    const {row, code} = await insertInvite(ctx, {
      plan: body.plan ?? 'dedicated',
      maxUses: body.uses ?? 1,
      ttlMs: (body.expires_in_sec ?? DEFAULT_TTL_SEC) * 1000,
    })
    ctx.log.info({invite: row.id, plan: row.plan, uses: row.max_uses}, 'operator created an invite')
    return {...view(row), code}
  })

  serve(adminApi.listInvites, async () => {
    const now = ctx.clock.now()
    const state = (row: InviteRow): 'used' | 'expired' | 'active' => (row.uses >= row.max_uses ? 'used' : new Date(row.expires_at).getTime() <= now ? 'expired' : 'active')
    return {invites: (await listInvites(ctx)).map((row) => ({...view(row), state: state(row)}))}
  })
}
