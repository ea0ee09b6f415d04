import type {FastifyInstance} from 'fastify'
import {adminCreateUserRequestSchema, adminSetPlanRequestSchema} from '../../contract/auth.js'
import {createUser, setUserPlan} from '../auth/users.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {validate} from '../validate.js'

/**
 * POST /admin/users: `clawd server users create [--plan]`. The password arrives in the body, never
 * in argv. POST /admin/users/plan: `clawd server users plan EMAIL PLAN`.
 */
export async function adminUserRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.post('/admin/users', async (req, reply) => {
    const body = validate(adminCreateUserRequestSchema, req.body)
    const user = await createUser(ctx, body.email, body.password, {plan: body.plan})
    ctx.log.info({userId: user.id, plan: user.plan}, 'operator created a user')
    return reply.code(201).send(user)
  })

  app.post('/admin/users/plan', async (req) => {
    const body = validate(adminSetPlanRequestSchema, req.body)
    const user = await setUserPlan(ctx, body.email, body.plan)
    if (!user) throw ApiError.notFound('user with that email', 'Check the address, or create the account with `clawd server users create --email E`.')
    ctx.log.info({userId: user.id, plan: user.plan, previous: user.previous_plan}, 'operator changed a plan')
    return user
  })
}
