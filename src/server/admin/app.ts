import Fastify, {type FastifyInstance} from 'fastify'
import {adminApi} from '../../contract/routes/index.js'
import {decideGrant} from '../auth/device-grants.js'
import {type InviteRow, insertInvite, listInvites} from '../auth/invites.js'
import {formatUserCode, normalizeUserCode} from '../auth/user-code.js'
import {createUser, findUserByEmail, setUserPlan} from '../auth/users.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {registerProblemHandler} from '../problem-handler.js'
import {drainReplica} from '../replicas/drain.js'
import {serveRoutes} from '../serve.js'
import {incidentBoard} from '../status/board.js'
import {addIncidentUpdate, createIncident, getIncident, openIncidentStatus} from '../status/incidents.js'

const DEFAULT_INVITE_TTL_SEC = 7 * 24 * 3600

const inviteView = (row: InviteRow) => ({
  id: row.id,
  plan: row.plan,
  max_uses: row.max_uses,
  uses: row.uses,
  created_at: new Date(row.created_at).toISOString(),
  expires_at: new Date(row.expires_at).toISOString(),
})

const noSuchIncident = () =>
  ApiError.notFound('open incident', 'See the incidents with `clawd status`; a resolved one takes no more updates, so create a new one.')

/**
 * Operator routes (users and their plans, invite codes, device approvals, incidents, drain). They
 * are never on the network port: they listen on `<data-dir>/admin.sock` (0600, in a 0700 dir), so
 * only the data dir's owner can use them; when no server runs, operator commands build this same
 * app in-process.
 */
export async function buildAdminApp(ctx: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({loggerInstance: ctx.log.child({component: 'admin'}), bodyLimit: 64 * 1024})
  registerProblemHandler(app)
  const serve = serveRoutes(app)
  serve(adminApi.health, async () => ({status: 'ok' as const}))

  // `clawd server users create [--plan]`: the password arrives in the body, never in argv.
  serve(adminApi.createUser, async (req) => {
    const body = req.body
    const user = await createUser(ctx, body.email, body.password, {plan: body.plan})
    ctx.log.info({userId: user.id, plan: user.plan}, 'operator created a user')
    return user
  })

  // `clawd server users plan EMAIL PLAN`.
  serve(adminApi.setPlan, async (req) => {
    const body = req.body
    const user = await setUserPlan(ctx, body.email, body.plan)
    if (!user) throw ApiError.notFound('user with that email', 'Check the address, or create the account with `clawd server users create --email E`.')
    ctx.log.info({userId: user.id, plan: user.plan, previous: user.previous_plan}, 'operator changed a plan')
    return user
  })

  // `clawd server approve CODE --email E`, for a self-hosted server whose operator is also the
  // user (no browser needed). Same rules as the page: pending and unexpired codes only, once.
  serve(adminApi.approveDevice, async (req) => {
    const body = req.body
    const code = normalizeUserCode(body.user_code)
    if (!code) throw ApiError.validation('The user code must be 8 letters like BCDF-GHJK.', 'Copy the code the login command printed.')
    const user = await findUserByEmail(ctx, body.email)
    if (!user) throw ApiError.notFound('user with that email', 'Create it with `clawd server users create --email E`.')
    const outcome = await decideGrant(ctx, {userCode: code, userId: user.id, approve: true})
    if (!outcome.ok) {
      const shown = formatUserCode(code)
      if (outcome.reason === 'not_found') throw ApiError.notFound(`device code ${shown}`, 'Check the code the login command printed.')
      if (outcome.reason === 'expired') throw ApiError.conflict(`The device code ${shown} has expired.`, 'Run the login command again for a new code.', 'wrong_state')
      throw ApiError.conflict(`The device code ${shown} was already approved or denied.`, 'Run the login command again for a new code.', 'wrong_state')
    }
    ctx.log.info({userId: user.id, grantId: outcome.grant.id}, 'operator approved a device code')
    return {
      user_code: outcome.grant.user_code,
      client_id: outcome.grant.client_id,
      client_ip: outcome.grant.client_ip,
      requested_at: new Date(outcome.grant.requested_at).toISOString(),
      email: user.email,
    }
  })

  // `clawd server incident create | update | resolve`. Each change is an update in the status
  // page's timeline, so users see what was said and when.
  const board = incidentBoard(ctx)
  serve(adminApi.createIncident, async (req) => {
    const body = req.body
    const status = body.status ?? 'investigating'
    const incident = await ctx.db.asSystem(async (q) => {
      const id = await createIncident(q, {title: body.title, impact: body.impact, status, message: body.message ?? body.title})
      return getIncident(q, id)
    })
    board.invalidate()
    ctx.log.info({incident: incident!.id, impact: body.impact}, 'operator opened an incident')
    return incident!
  })

  serve(adminApi.updateIncident, async (req) => {
    const {params: {id}, body} = req
    const incident = await ctx.db.asSystem(async (q) => {
      const current = await openIncidentStatus(q, id)
      if (!current || !(await addIncidentUpdate(q, id, body.status ?? current, body.message))) throw noSuchIncident()
      return getIncident(q, id)
    })
    board.invalidate()
    return incident!
  })

  serve(adminApi.resolveIncident, async (req) => {
    const {params: {id}, body} = req
    const incident = await ctx.db.asSystem(async (q) => {
      if (!(await addIncidentUpdate(q, id, 'resolved', body.message ?? 'Resolved.'))) throw noSuchIncident()
      return getIncident(q, id)
    })
    board.invalidate()
    ctx.log.info({incident: id}, 'operator resolved an incident')
    return incident!
  })

  // `clawd server invites create`: the answer holds the code, once; the store keeps its HMAC, and
  // the log only the invite's id. `server invites list` lists them.
  serve(adminApi.createInvite, async (req) => {
    const body = req.body
    const {row, code} = await insertInvite(ctx, {
      plan: body.plan ?? 'dedicated',
      maxUses: body.uses ?? 1,
      ttlMs: (body.expires_in_sec ?? DEFAULT_INVITE_TTL_SEC) * 1000,
    })
    ctx.log.info({invite: row.id, plan: row.plan, uses: row.max_uses}, 'operator created an invite')
    return {...inviteView(row), code}
  })

  serve(adminApi.listInvites, async () => {
    const now = ctx.clock.now()
    const state = (row: InviteRow): 'used' | 'expired' | 'active' => (row.uses >= row.max_uses ? 'used' : new Date(row.expires_at).getTime() <= now ? 'expired' : 'active')
    return {invites: (await listInvites(ctx)).map((row) => ({...inviteView(row), state: state(row)}))}
  })

  // `clawd server drain`: moves every instance off this replica.
  serve(adminApi.drain, async () => {
    const result = await drainReplica(ctx)
    ctx.log.info({moved: result.moved.length, failed: result.failed.length}, 'operator drained this replica')
    return result
  })
  return app
}
