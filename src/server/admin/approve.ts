import type {FastifyInstance} from 'fastify'
import {adminApi} from '../../contract/routes/index.js'
import {decideGrant} from '../auth/device-grants.js'
import {formatUserCode, normalizeUserCode} from '../auth/user-code.js'
import {findUserByEmail} from '../auth/users.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {serveRoutes} from '../serve.js'

/**
 * POST /admin/device/approve: `clawd server approve CODE --email E`, for a self-hosted server
 * whose operator is also the user (no browser needed). Same rules as the page: pending and
 * unexpired codes only, once.
 */
export async function adminApproveRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  serveRoutes(app)(adminApi.approveDevice, async (req) => {
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
      user_code: outcome.grant.userCode,
      client_id: outcome.grant.clientId,
      client_ip: outcome.grant.clientIp,
      requested_at: outcome.grant.requestedAt.toISOString(),
      email: user.email,
    }
  })
}
