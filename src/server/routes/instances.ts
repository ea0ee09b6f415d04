import {pageQuerySchema} from '../../contract/page.js'
import type {FastifyInstance} from 'fastify'
import {
  createInstanceRequestSchema,
  instanceRefSchema,
  updateInstanceRequestSchema,
} from '../../contract/instances.js'
import {setToolPolicyRequestSchema} from '../../contract/tool-policy.js'
import {requireAuth} from '../auth/authenticate.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {findInstance, listInstancesPage, setModel, setToolPolicy} from '../instances/repo.js'
import {assertPolicyFitsPlan} from '../instances/tool-policy.js'
import {instanceView} from '../instances/view.js'
import {planOf} from '../quotas/plans.js'
import type {Queryable} from '../store/db.js'
import {validate} from '../validate.js'

type RefParams = {Params: {ref: string}}

/** /v1/instances: the user's instances. Another user's id or name is simply not found. */
export async function instanceRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const auth = requireAuth(ctx)
  const manager = ctx.instances
  /** Views need the owner's plan (what it allows, which tools a message gets). */
  const viewer = async (q: Queryable, userId: string) => {
    const plan = await planOf(q, ctx.config, userId)
    return (row: Parameters<typeof instanceView>[0]) => instanceView(row, ctx.config, plan)
  }
  const viewOne = async (userId: string, row: Parameters<typeof instanceView>[0]) => (await ctx.db.asUser(userId, (q) => viewer(q, userId)))(row)
  const refOf = (params: {ref: string}) => {
    if (!instanceRefSchema.safeParse(params.ref).success) throw ApiError.notFound('instance', 'See your instances with `clawd instance list`.')
    return params.ref
  }

  app.post('/v1/instances', {preHandler: auth}, async (req, reply) => {
    const body = validate(createInstanceRequestSchema, req.body ?? {})
    const row = await manager.create(req.auth!.userId, body)
    return reply.code(202).send(await viewOne(req.auth!.userId, row))
  })

  app.get('/v1/instances', {preHandler: auth}, async (req) => {
    const userId = req.auth!.userId
    const page = validate(pageQuerySchema, req.query ?? {}, 'query')
    return ctx.db.asUser(userId, async (q) => {
      const view = await viewer(q, userId)
      const {rows, next} = await listInstancesPage(q, page)
      return {instances: rows.map(view), next_cursor: next}
    })
  })

  app.get<RefParams>('/v1/instances/:ref', {preHandler: auth}, async (req) => {
    const userId = req.auth!.userId
    return ctx.db.asUser(userId, async (q) => {
      const row = await findInstance(q, refOf(req.params))
      if (!row) throw ApiError.notFound('instance', 'See your instances with `clawd instance list`.')
      return (await viewer(q, userId))(row)
    })
  })

  app.patch<RefParams>('/v1/instances/:ref', {preHandler: auth}, async (req) => {
    const body = validate(updateInstanceRequestSchema, req.body)
    const userId = req.auth!.userId
    return ctx.db.asUser(userId, async (q) => {
      const found = await findInstance(q, refOf(req.params))
      if (!found) throw ApiError.notFound('instance')
      await setModel(q, found.id, body.model)
      return (await viewer(q, userId))({...found, model: body.model})
    })
  })

  // The tool policy, replaced whole (`clawd instance tools set`). A plan without tools accepts
  // only a policy that grants none, so free stays chat only whatever is asked.
  app.put<RefParams>('/v1/instances/:ref/tools', {preHandler: auth}, async (req) => {
    const policy = validate(setToolPolicyRequestSchema, req.body)
    const userId = req.auth!.userId
    return ctx.db.asUser(userId, async (q) => {
      const found = await findInstance(q, refOf(req.params))
      if (!found) throw ApiError.notFound('instance', 'See your instances with `clawd instance list`.')
      const plan = await planOf(q, ctx.config, userId)
      assertPolicyFitsPlan(plan, policy)
      await setToolPolicy(q, found.id, policy)
      return instanceView({...found, tool_policy: policy}, ctx.config, plan)
    })
  })

  app.post<RefParams>('/v1/instances/:ref/pause', {preHandler: auth}, async (req, reply) => {
    return reply.code(202).send(await viewOne(req.auth!.userId, await manager.pause(req.auth!.userId, refOf(req.params))))
  })

  app.post<RefParams>('/v1/instances/:ref/resume', {preHandler: auth}, async (req, reply) => {
    return reply.code(202).send(await viewOne(req.auth!.userId, await manager.resume(req.auth!.userId, refOf(req.params))))
  })

  app.delete<RefParams>('/v1/instances/:ref', {preHandler: auth}, async (req) => {
    const row = await manager.delete(req.auth!.userId, refOf(req.params))
    return {id: row.id, name: row.name, deleted: true}
  })

  app.get<RefParams & {Querystring: {limit?: string}}>('/v1/instances/:ref/events', {preHandler: auth}, async (req) => {
    const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000)
    return ctx.db.asUser(req.auth!.userId, async (q) => {
      const row = await findInstance(q, refOf(req.params))
      if (!row) throw ApiError.notFound('instance')
      const events = await q.query<{at: Date; instance_id: string; event: string; detail: Record<string, unknown> | null}>(
        `SELECT at, instance_id, event, detail FROM access_log
          WHERE instance_id = $1 AND kind = 'lifecycle' ORDER BY at DESC, id DESC LIMIT $2`,
        [row.id, limit],
      )
      return {events: events.reverse().map((e) => ({...e, at: new Date(e.at).toISOString()}))}
    })
  })
}
