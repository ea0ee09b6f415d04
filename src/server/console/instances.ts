import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {createInstanceRequestSchema} from '../../contract/instances.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {listInstances} from '../instances/repo.js'
import {instanceView} from '../instances/view.js'
import {field, queryParam} from '../pages/forms.js'
import {planOf} from '../quotas/plans.js'
import {backTo, ownInstance, problemText, type Ref, sendInstancePage, type Visitor, visitorRoutes} from './guard.js'
import {instanceOverviewView, instancesView} from './views/instances.js'

/**
 * The instance list and one instance's overview, with create, pause, resume and delete: the same
 * InstanceLifecycle calls as /v1/instances, as the signed-in user.
 */
export async function consoleInstancePages(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const on = visitorRoutes(app, ctx)
  const manager = ctx.instances

  const renderList = async (req: FastifyRequest, reply: FastifyReply, v: Visitor, status: number, error?: string) => {
    const userId = v.session.userId
    const {rows, plan} = await ctx.db.asUser(userId, async (q) => ({rows: await listInstances(q), plan: await planOf(q, ctx.config, userId)}))
    const body = instancesView({csrf: v.csrf, instances: rows.map((r) => instanceView(r, ctx.config, plan)), plan: plan.name, now: ctx.clock.now(), done: queryParam(req, 'done', 32), error})
    return sendInstancePage(reply, v, status, 'Instances', body)
  }

  const renderOne = async (req: FastifyRequest, reply: FastifyReply, v: Visitor, ref: string, status: number, error?: string) => {
    const userId = v.session.userId
    const row = await ownInstance(ctx, userId, ref)
    const plan = await ctx.db.asUser(userId, (q) => planOf(q, ctx.config, userId))
    const body = instanceOverviewView({csrf: v.csrf, instance: instanceView(row, ctx.config, plan), plan: plan.name, now: ctx.clock.now(), done: queryParam(req, 'done', 32), error})
    return sendInstancePage(reply, v, status, row.name, body)
  }

  on.get('/instances', (req, reply, v) => renderList(req, reply, v, 200))

  on.post('/instances', async (req, reply, v) => {
    const name = field(req, 'name', 64).trim()
    const model = field(req, 'model', 200).trim()
    const parsed = createInstanceRequestSchema.safeParse({...(name ? {name} : {}), ...(model ? {model} : {})})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      return renderList(req, reply, v, 400, `The ${String(issue?.path[0] ?? 'form')} is not valid: ${issue?.message ?? 'check it'}.`)
    }
    try {
      const row = await manager.create(v.session.userId, parsed.data)
      return backTo(reply, `/instances/${row.id}`, 'created')
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) return renderList(req, reply, v, error.status, problemText(error))
      throw error
    }
  })

  on.get<Ref>('/instances/:ref', (req, reply, v) => renderOne(req, reply, v, req.params.ref, 200))

  for (const action of ['pause', 'resume'] as const) {
    on.post<Ref>(`/instances/:ref/${action}`, async (req, reply, v) => {
      const row = await ownInstance(ctx, v.session.userId, req.params.ref)
      const back = field(req, 'back', 80) === '/instances' ? '/instances' : `/instances/${row.id}`
      try {
        await manager[action](v.session.userId, row.id)
      } catch (error) {
        if (error instanceof ApiError && error.status < 500 && error.status !== 404) return renderOne(req, reply, v, row.id, error.status, problemText(error))
        throw error
      }
      return backTo(reply, back, action === 'pause' ? 'paused' : 'resumed')
    })
  }

  on.post<Ref>('/instances/:ref/delete', async (req, reply, v) => {
    const row = await ownInstance(ctx, v.session.userId, req.params.ref)
    // As on the CLI: the name, typed, is the confirmation.
    if (field(req, 'confirm', 64).trim() !== row.name) {
      return renderOne(req, reply, v, row.id, 400, `Nothing was deleted: type the instance's name, ${row.name}, to confirm.`)
    }
    await manager.delete(v.session.userId, row.id)
    return backTo(reply, '/instances', 'deleted')
  })
}
