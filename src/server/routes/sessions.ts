import type {FastifyInstance} from 'fastify'
import {approveToolRequestSchema, createSessionRequestSchema, listSessionsQuerySchema, messageIdSchema, sendMessageRequestSchema, sessionIdSchema} from '../../contract/sessions.js'
import {requireAuthOrBrowserSession} from '../auth/browser-auth.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {forwardToInstance} from '../gateway.js'
import {findInstance, toolPolicyOf, touchInstance} from '../instances/repo.js'
import {effectiveTools} from '../instances/tool-policy.js'
import {markKeyUsed} from '../keys/repo.js'
import {countMessage, messageQuotaExceeded} from '../quotas/messages.js'
import {planOf} from '../quotas/plans.js'
import {StreamSlots} from '../quotas/streams.js'
import {validate} from '../validate.js'

type P = {Params: {ref: string; sid: string; mid: string}}

/**
 * Sessions are the agent's: these routes check the user, the ids and the quotas, then go through
 * the gateway. Message text passes through and is never stored or logged here.
 */
export async function sessionRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // The console's chat page uses these routes too, with its browser session (browser-auth.ts).
  const auth = requireAuthOrBrowserSession(ctx)
  const slots = new StreamSlots(ctx.db, () => ctx.cluster?.registry.self ?? 'local', ctx.config.replicas.goneAfterMs)
  const sidOf = (p: {sid: string}) => {
    if (!sessionIdSchema.safeParse(p.sid).success) throw ApiError.notFound('session')
    return p.sid
  }
  const midOf = (p: {mid: string}) => {
    if (!messageIdSchema.safeParse(p.mid).success) throw ApiError.notFound('message')
    return p.mid
  }
  const base = '/v1/instances/:ref/sessions'
  const forward = (req: Parameters<typeof forwardToInstance>[2], reply: Parameters<typeof forwardToInstance>[3], method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) =>
    forwardToInstance(ctx, ctx.instances, req, reply, {userId: req.auth!.userId, ref: (req.params as {ref: string}).ref, method, path, body})

  app.post<P>(base, {preHandler: auth}, async (req, reply) => {
    const body = validate(createSessionRequestSchema, req.body ?? {})
    const row = await ctx.db.asUser(req.auth!.userId, (q) => findInstance(q, req.params.ref))
    if (!row) throw ApiError.notFound('instance', 'See your instances with `clawd instance list`.')
    return forward(req, reply, 'POST', '/sessions', {...body, default_model: row.model})
  })
  app.get<P>(base, {preHandler: auth}, (req, reply) => {
    const page = validate(listSessionsQuerySchema, req.query ?? {}, 'query')
    const query = new URLSearchParams({limit: String(page.limit), ...(page.cursor ? {cursor: page.cursor} : {})})
    return forward(req, reply, 'GET', `/sessions?${query}`)
  })
  app.delete<P>(base, {preHandler: auth}, (req, reply) => forward(req, reply, 'DELETE', '/sessions'))
  app.get<P>(`${base}/:sid`, {preHandler: auth}, (req, reply) => forward(req, reply, 'GET', `/sessions/${sidOf(req.params)}`))
  app.delete<P>(`${base}/:sid`, {preHandler: auth}, (req, reply) => forward(req, reply, 'DELETE', `/sessions/${sidOf(req.params)}`))

  app.post<P>(`${base}/:sid/messages`, {preHandler: auth}, async (req, reply) => {
    const userId = req.auth!.userId
    const sid = sidOf(req.params)
    const body = validate(sendMessageRequestSchema, req.body)
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
        path: `/sessions/${sid}/messages`,
        body,
        allowedTools: checked.tools,
        ...(checked.row.state === 'running' ? {running: checked.row} : {}),
      })
    } finally {
      await release()
    }
  })

  app.get<P>(`${base}/:sid/messages/:mid/events`, {preHandler: auth}, (req, reply) =>
    forward(req, reply, 'GET', `/sessions/${sidOf(req.params)}/messages/${midOf(req.params)}/events`),
  )
  app.post<P>(`${base}/:sid/messages/:mid/abort`, {preHandler: auth}, (req, reply) =>
    forward(req, reply, 'POST', `/sessions/${sidOf(req.params)}/messages/${midOf(req.params)}/abort`),
  )
  app.post<P>(`${base}/:sid/messages/:mid/approve`, {preHandler: auth}, (req, reply) => {
    const body = validate(approveToolRequestSchema, req.body)
    return forward(req, reply, 'POST', `/sessions/${sidOf(req.params)}/messages/${midOf(req.params)}/approve`, body)
  })
}
