import type {FastifyInstance} from 'fastify'
import {adminApi} from '../../contract/routes/index.js'
import {createUser, setUserPlan} from '../auth/users.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {serveRoutes} from '../serve.js'

/**
 * POST /admin/users: `clawd server users create [--plan]`. The password arrives in the body, never
 * in argv. POST /admin/users/plan: `clawd server users plan EMAIL PLAN`.
 */
export async function adminUserRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const serve = serveRoutes(app)
  serve(adminApi.createUser, async (req) => {
    const body = req.body
    const user = await createUser(ctx, body.email, body.password, {plan: body.plan})
    ctx.log.info({userId: user.id, plan: user.plan}, 'operator created a user')
    return user
  })

  serve(adminApi.setPlan, async (req) => {
    const body = req.body
    const user = await setUserPlan(ctx, body.email, body.plan)
    if (!user) throw ApiError.notFound('user with that email', 'Check the address, or create the account with `clawd server users create --email E`.')
    ctx.log.info({userId: user.id, plan: user.plan, previous: user.previous_plan}, 'operator changed a plan')
    return user
  })
}
