import type {FastifyInstance} from 'fastify'
import {adminCreateUserRequestSchema} from '../../contract/auth.js'
import {createUser} from '../auth/users.js'
import type {ServerContext} from '../context.js'
import {validate} from '../validate.js'

/** POST /admin/users: `clawd server users create`. The password arrives in the body, never in argv. */
export async function adminUserRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.post('/admin/users', async (req, reply) => {
    const body = validate(adminCreateUserRequestSchema, req.body)
    const user = await createUser(ctx, body.email, body.password)
    ctx.log.info({userId: user.id}, 'operator created a user')
    return reply.code(201).send(user)
  })
}
