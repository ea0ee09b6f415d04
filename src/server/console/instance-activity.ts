import type {FastifyInstance} from 'fastify'
import {agentApi, type RouteSpec} from '../../contract/routes/index.js'
import {sessionIdSchema, type SessionDetail} from '../../contract/sessions.js'
import type {AgentRouteInput} from '../../runtime/agent-client.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {type InstanceRow, touchInstance} from '../instances/repo.js'
import {readAccessLog} from '../observability/access-log-read.js'
import {queryParam} from '../pages/forms.js'
import {backTo, ownInstance, type Ref, sendInstancePage, visitorRoutes} from './guard.js'
import {chatView, logsView, sessionsView, transcriptView} from './views/instance-activity.js'

type SessionRef = {Params: Ref['Params'] & {sid: string}}

export const CHAT_SCRIPT = '/assets/console/chat.js'

/**
 * Sessions (list, transcript, delete, clear), the instance's log, and the chat page. Sessions are
 * the agent's, so these ask it over its socket, as the gateway does for /v1 (resuming a paused
 * instance first); the chat page's script streams over the /v1 SSE route itself.
 */
export async function consoleInstanceActivityPages(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const on = visitorRoutes(app, ctx)
  const manager = ctx.instances

  /** One call to the instance's agent, as the signed-in user: resumes it, marks it active. */
  async function agent<R extends RouteSpec>(userId: string, ref: string, route: R, input?: AgentRouteInput<R>) {
    const row = await manager.ensureRunning(userId, (await ownInstance(ctx, userId, ref)).id)
    await ctx.db.asUser(userId, (q) => touchInstance(q, row.id))
    const res = await manager.agents.call(manager.routeFor(row), route, input)
    if (res.status >= 500) throw ApiError.unavailable(`Instance "${row.name}" did not answer.`, 'Try again; if it persists, see the instance overview.')
    return {row, ...res}
  }

  const sessionParams = (sid: string) => {
    if (!sessionIdSchema.safeParse(sid).success) throw ApiError.notFound('session')
    return {params: {sid}}
  }

  async function transcript(userId: string, ref: string, sid: string): Promise<{row: InstanceRow; session: SessionDetail}> {
    const res = await agent(userId, ref, agentApi.getSession, sessionParams(sid))
    if (!res.ok) throw ApiError.notFound('session', 'See the sessions on the Sessions page.')
    return {row: res.row, session: res.body}
  }

  on.get<Ref>('/instances/:ref/sessions', async (req, reply, v) => {
    const res = await agent(v.session.userId, req.params.ref, agentApi.listSessions, {query: {limit: 200}})
    if (!res.ok) throw ApiError.unavailable('The instance sent a session list this page cannot read.', 'Try again.')
    const body = sessionsView({csrf: v.csrf, instance: res.row, sessions: res.body.sessions, now: ctx.clock.now(), done: queryParam(req, 'done', 32)})
    return sendInstancePage(reply, v, 200, `${res.row.name}: sessions`, body)
  })

  on.get<SessionRef>('/instances/:ref/sessions/:sid', async (req, reply, v) => {
    const {row, session} = await transcript(v.session.userId, req.params.ref, req.params.sid)
    return sendInstancePage(reply, v, 200, `${row.name}: ${session.title || 'session'}`, transcriptView({csrf: v.csrf, instance: row, session}))
  })

  on.post<SessionRef>('/instances/:ref/sessions/:sid/delete', async (req, reply, v) => {
    const res = await agent(v.session.userId, req.params.ref, agentApi.deleteSession, sessionParams(req.params.sid))
    if (res.status === 404) throw ApiError.notFound('session', 'See the sessions on the Sessions page.')
    return backTo(reply, `/instances/${res.row.id}/sessions`, 'deleted')
  })

  on.post<Ref>('/instances/:ref/sessions/clear', async (req, reply, v) => {
    const res = await agent(v.session.userId, req.params.ref, agentApi.clearSessions)
    return backTo(reply, `/instances/${res.row.id}/sessions`, 'cleared')
  })

  on.get<Ref>('/instances/:ref/logs', async (req, reply, v) => {
    const userId = v.session.userId
    const row = await ownInstance(ctx, userId, req.params.ref)
    await reply.server.accessLog?.flush().catch(() => {})
    const entries = await ctx.db.asUser(userId, (q) => readAccessLog(q, {instanceId: row.id, limit: 200}))
    return sendInstancePage(reply, v, 200, `${row.name}: logs`, logsView({instance: row, entries, now: ctx.clock.now()}))
  })

  on.get<Ref>('/instances/:ref/chat', async (req, reply, v) => {
    const sid = queryParam(req, 'session', 64)
    let row: InstanceRow
    let session: SessionDetail | undefined
    if (sid) ({row, session} = await transcript(v.session.userId, req.params.ref, sid))
    else row = await ownInstance(ctx, v.session.userId, req.params.ref)
    return sendInstancePage(reply, v, 200, `${row.name}: chat`, chatView({csrf: v.csrf, instance: row, session}), [CHAT_SCRIPT])
  })
}
