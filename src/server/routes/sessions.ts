import type {FastifyInstance} from 'fastify'
import {agentApi, api, pathTo} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {forwardToInstance} from '../gateway.js'
import {findInstance, toolPolicyOf, touchInstance} from '../instances/repo.js'
import {effectiveTools} from '../instances/tool-policy.js'
import {markKeyUsed} from '../keys/repo.js'
import {countMessage, messageQuotaExceeded} from '../quotas/messages.js'
import {planOf} from '../quotas/plans.js'
import {StreamSlots} from '../quotas/streams.js'
import {serveRoutes} from '../serve.js'

/**
 * Sessions are the agent's: these routes check the user, the ids and the quotas, then go through
 * the gateway. Message text passes through and is never stored or logged here.
 */
export async function sessionRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // The console's chat page uses these routes too, with its browser session (browser-auth.ts).
  const serve = serveRoutes(app, ctx)
  const slots = new StreamSlots(ctx.db, () => ctx.cluster?.registry.self ?? 'local', ctx.config.replicas.goneAfterMs)
  const forward = (req: Parameters<typeof forwardToInstance>[2], reply: Parameters<typeof forwardToInstance>[3], method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) =>
    forwardToInstance(ctx, ctx.instances, req, reply, {userId: req.auth!.userId, ref: (req.params as {ref: string}).ref, method, path, body})

  serve(api.sessions.create, async (req, reply) => {
    const row = await ctx.instances.owned(req.auth!.userId, req.params.ref)
    return forward(req, reply, 'POST', pathTo(agentApi.createSession, {}), {...req.body, default_model: row.model})
  })
  serve(api.sessions.list, (req, reply) => forward(req, reply, 'GET', pathTo(agentApi.listSessions, {}, req.query)))
  serve(api.sessions.clear, (req, reply) => forward(req, reply, 'DELETE', pathTo(agentApi.clearSessions, {})))
  serve(api.sessions.get, (req, reply) => forward(req, reply, 'GET', pathTo(agentApi.getSession, req.params)))
  serve(api.sessions.delete, (req, reply) => forward(req, reply, 'DELETE', pathTo(agentApi.deleteSession, req.params)))

  serve(api.sessions.send, async (req, reply) => {
    const userId = req.auth!.userId
    const body = req.body
    // One transaction for everything a message needs checked or counted: it is on the path to the
    // first token.
    // A stream slot is taken before the message is counted, so a refused stream costs no quota.
    let release: () => Promise<void> = async () => {}
    const checked = await ctx.db
      .asUser(userId, async (q) => {
        const row = await findInstance(q, req.params.ref)
        if (!row) return undefined
        const plan = await planOf(q, ctx.config, userId)
        // Decided here, once per message, from the plan and the policy as they are now.
        const tools = effectiveTools(plan, toolPolicyOf(row))
        release = await slots.acquire(q, userId, plan.concurrentStreams)
        if (!(await countMessage(q, userId, plan))) return {row, plan, tools, counted: false}
        await markKeyUsed(q, row.id, (body.model ?? row.model).split('/')[0]!)
        if (row.state === 'running') await touchInstance(q, row.id)
        return {row, plan, tools, counted: true}
      })
      .catch(async (error: unknown) => {
        await release()
        throw error
      })
    try {
      if (!checked) throw ApiError.notFound('instance', 'See your instances with `clawd instance list`.')
      if (!checked.counted) throw await messageQuotaExceeded(ctx.db, checked.plan)
      return await forwardToInstance(ctx, ctx.instances, req, reply, {
        userId,
        ref: req.params.ref,
        method: 'POST',
        path: pathTo(agentApi.sendMessage, req.params),
        body,
        allowedTools: checked.tools,
        beforeEnd: release,
        ...(checked.row.state === 'running' ? {running: checked.row} : {}),
      })
    } finally {
      await release()
    }
  })

  serve(api.sessions.resume, (req, reply) => forward(req, reply, 'GET', pathTo(agentApi.resumeMessage, req.params)))
  serve(api.sessions.abort, (req, reply) => forward(req, reply, 'POST', pathTo(agentApi.abortMessage, req.params)))
  serve(api.sessions.approve, (req, reply) => forward(req, reply, 'POST', pathTo(agentApi.approveTool, req.params), req.body))
}
