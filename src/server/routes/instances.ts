import type {FastifyInstance} from 'fastify'
import {api} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {findInstance, listInstancesPage, setModel, setToolPolicy} from '../instances/repo.js'
import {assertPolicyFitsPlan} from '../instances/tool-policy.js'
import {instanceView} from '../instances/view.js'
import {planOf} from '../quotas/plans.js'
import {serveRoutes} from '../serve.js'
import type {Queryable} from '../store/db.js'

/** /v1/instances: the user's instances. Another user's id or name is simply not found. */
export async function instanceRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const serve = serveRoutes(app, ctx)
  const manager = ctx.instances
  /** Views need the owner's plan (what it allows, which tools a message gets). */
  const viewer = async (q: Queryable, userId: string) => {
    const plan = await planOf(q, ctx.config, userId)
    return (row: Parameters<typeof instanceView>[0]) => instanceView(row, ctx.config, plan)
  }
  const viewOne = async (userId: string, row: Parameters<typeof instanceView>[0]) => (await ctx.db.asUser(userId, (q) => viewer(q, userId)))(row)
  const noSuchInstance = () => ApiError.notFound('instance', 'See your instances with `clawd instance list`.')

  serve(api.instances.create, async (req) => viewOne(req.auth!.userId, await manager.create(req.auth!.userId, req.body)))

  serve(api.instances.list, async (req) => {
    const userId = req.auth!.userId
    return ctx.db.asUser(userId, async (q) => {
      const view = await viewer(q, userId)
      const {rows, next} = await listInstancesPage(q, req.query)
      return {instances: rows.map(view), next_cursor: next}
    })
  })

  serve(api.instances.get, async (req) => {
    const userId = req.auth!.userId
    return ctx.db.asUser(userId, async (q) => {
      const row = await findInstance(q, req.params.ref)
      if (!row) throw noSuchInstance()
      return (await viewer(q, userId))(row)
    })
  })

  serve(api.instances.update, async (req) => {
    const userId = req.auth!.userId
    return ctx.db.asUser(userId, async (q) => {
      const found = await findInstance(q, req.params.ref)
      if (!found) throw ApiError.notFound('instance')
      await setModel(q, found.id, req.body.model)
      return (await viewer(q, userId))({...found, model: req.body.model})
    })
  })

  // The tool policy, replaced whole (`clawd instance tools set`). A plan without tools accepts
  // only a policy that grants none, so free stays chat only whatever is asked.
  serve(api.instances.setTools, async (req) => {
    const policy = req.body
    const userId = req.auth!.userId
    return ctx.db.asUser(userId, async (q) => {
      const found = await findInstance(q, req.params.ref)
      if (!found) throw noSuchInstance()
      const plan = await planOf(q, ctx.config, userId)
      assertPolicyFitsPlan(plan, policy)
      await setToolPolicy(q, found.id, policy)
      return instanceView({...found, tool_policy: policy}, ctx.config, plan)
    })
  })

  serve(api.instances.pause, async (req) => viewOne(req.auth!.userId, await manager.pause(req.auth!.userId, req.params.ref)))
  serve(api.instances.resume, async (req) => viewOne(req.auth!.userId, await manager.resume(req.auth!.userId, req.params.ref)))

  serve(api.instances.delete, async (req) => {
    const row = await manager.delete(req.auth!.userId, req.params.ref)
    return {id: row.id, name: row.name, deleted: true as const}
  })

  serve(api.instances.events, async (req) => {
    return ctx.db.asUser(req.auth!.userId, async (q) => {
      const row = await findInstance(q, req.params.ref)
      if (!row) throw ApiError.notFound('instance')
      const events = await q.query<{at: Date; instance_id: string; event: string; detail: Record<string, unknown> | null}>(
        `SELECT at, instance_id, event, detail FROM access_log
          WHERE instance_id = $1 AND kind = 'lifecycle' ORDER BY at DESC, id DESC LIMIT $2`,
        [row.id, req.query.limit],
      )
      return {events: events.reverse().map((e) => ({...e, at: new Date(e.at).toISOString()}))}
    })
  })
}
