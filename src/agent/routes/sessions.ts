import {decodeCursor, encodeCursor, MAX_PAGE, parseLimit} from '../../contract/paging.js'
import type {IncomingHttpHeaders, ServerResponse} from 'node:http'
import {ALLOWED_TOOLS_HEADER} from '../../contract/agent-header.js'
import {MAX_MESSAGE_CHARS, MAX_TITLE_CHARS, MAX_TOOL_CALL_ID_CHARS, MESSAGE_ID_PATTERN, MODEL_REF_PATTERN, SESSION_ID_PATTERN} from '../../contract/core.js'
import type {Session} from '../../contract/sessions.js'
import {newId} from '../../ids.js'
import {EVENT_STREAM_CONTENT_TYPE, sseFrame} from '../../sse/frame.js'
import type {AgentContext} from '../context.js'
import {agentEndpoints} from '../../contract/agent-endpoints.js'
import {AgentError, reply, route, type AgentCall} from '../router.js'
import type {LiveAnswer} from '../sessions/live.js'
import type {SentEvent} from '../sessions/store.js'
import {TOOL_NAMES, type ToolName} from '../tools/types.js'

// The session machinery (providers, prompt builder, workspace) is loaded on the first session
// request, not at start-up: an idle instance should cost only the agent's core (DESIGN §2: thin).
const sessionsFeature = async (agent: AgentContext) => {
  const f = (await import('../sessions/feature.js')).sessionsFeature(agent)
  await f.ready
  return f
}

function sid(call: AgentCall): string {
  const id = call.params.sid
  if (!id || !SESSION_ID_PATTERN.test(id)) throw AgentError.notFound('session')
  return id
}

function optionalModel(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || !MODEL_REF_PATTERN.test(value)) throw AgentError.badRequest('model must be provider/model.')
  return value
}

/**
 * The tools the gateway allows for this message (plan and policy), from ALLOWED_TOOLS_HEADER.
 * Absent or empty: none. Names we do not know are dropped, never passed on to the model.
 */
export function allowedTools(headers: IncomingHttpHeaders): ToolName[] {
  const raw = headers[ALLOWED_TOOLS_HEADER]
  const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '')
  const given = new Set(value.split(',').map((name) => name.trim()))
  return TOOL_NAMES.filter((name) => given.has(name))
}

const sse = (sent: SentEvent) => sseFrame({id: sent.id, event: sent.event.type, data: JSON.stringify(sent.event)})

/** Streams an answer's events after `afterId` to this response until the answer ends or the reader leaves. */
function follow(res: ServerResponse, live: LiveAnswer, afterId: number): Promise<void> {
  res.writeHead(200, {'content-type': EVENT_STREAM_CONTENT_TYPE, 'cache-control': 'no-cache'})
  return new Promise((resolve) => {
    const detach = live.attach(afterId, (sent) => {
      if (sent === 'end') {
        res.end()
        resolve()
      } else res.write(sse(sent))
    })
    res.once('close', () => {
      detach()
      resolve()
    })
  })
}

export const sessionRoutes = [
  route(agentEndpoints.createSession, async (call) => {
    const body = (await call.json<{title?: unknown; model?: unknown; default_model?: unknown}>()) ?? {}
    const model = optionalModel(body.model) ?? optionalModel(body.default_model) ?? 'dev/echo'
    const title = typeof body.title === 'string' ? body.title.slice(0, MAX_TITLE_CHARS) : ''
    const now = new Date().toISOString()
    const session: Session = {id: newId('ses'), title, model, created_at: now, updated_at: now, message_count: 0, usage: {input_tokens: 0, output_tokens: 0}}
    return reply(201, await (await sessionsFeature(call.agent)).store.create(session))
  }),

  route(agentEndpoints.listSessions, async (call) => {
    const limit = parseLimit(call.query.get('limit'))
    if (limit === undefined) throw AgentError.badRequest(`limit must be a whole number from 1 to ${MAX_PAGE}.`)
    const cursor = call.query.get('cursor')
    const after = cursor ? decodeCursor(cursor) : undefined
    if (cursor && !after) throw AgentError.badRequest('cursor is not one this server gave out.')
    const page = await (await sessionsFeature(call.agent)).store.page(limit, after)
    return {sessions: page.sessions, next_cursor: page.more && page.last ? encodeCursor(page.last.created_at, page.last.id) : null}
  }),

  route(agentEndpoints.clearSessions, async (call) => {
    const f = await sessionsFeature(call.agent)
    f.answers.abortAll()
    return {deleted: await f.store.clear()}
  }),

  route(agentEndpoints.getSession, async (call) => {
    const detail = await (await sessionsFeature(call.agent)).store.detail(sid(call))
    if (!detail) throw AgentError.notFound('session')
    return detail
  }),

  route(agentEndpoints.deleteSession, async (call) => {
    const f = await sessionsFeature(call.agent)
    const id = sid(call)
    f.answers.forSession(id)?.abort.abort(new Error('session deleted'))
    if (!(await f.store.delete(id))) throw AgentError.notFound('session')
    return {id, deleted: true}
  }),

  route(agentEndpoints.sendMessage, async (call) => {
    const f = await sessionsFeature(call.agent)
    const id = sid(call)
    const body = (await call.json<{content?: unknown; model?: unknown; approve?: unknown}>(512 * 1024)) ?? {}
    if (typeof body.content !== 'string' || body.content.length === 0 || body.content.length > MAX_MESSAGE_CHARS) {
      throw AgentError.badRequest(`content must be 1–${MAX_MESSAGE_CHARS} characters.`)
    }
    const session = await f.store.get(id)
    if (!session) throw AgentError.notFound('session')
    const model = optionalModel(body.model) ?? session.model
    const live = f.answers.start(id, newId('msg'), f.graceMs)
    if (!live) throw AgentError.conflict('This session is already answering; wait for it or stop it first.')
    try {
      await f.store.append(id, {id: newId('msg'), role: 'user', content: body.content, created_at: new Date().toISOString()})
    } catch (error) {
      f.answers.end(live)
      throw error
    }
    const {runAnswer} = await import('../sessions/answer.js')
    const options = {allowedTools: allowedTools(call.headers), approve: body.approve === true}
    void runAnswer({agent: call.agent, ...f}, live, model, options).finally(() => f.answers.end(live))
    await follow(call.res, live, 0)
  }),

  route(agentEndpoints.resumeMessage, async (call) => {
    const f = await sessionsFeature(call.agent)
    const id = sid(call)
    const mid = call.params.mid
    if (!mid || !MESSAGE_ID_PATTERN.test(mid)) throw AgentError.notFound('message')
    const after = Number(call.headers['last-event-id'] ?? 0)
    const afterId = Number.isSafeInteger(after) && after >= 0 ? after : 0
    const live = f.answers.get(mid)
    if (live && live.sessionId === id) return follow(call.res, live, afterId)
    const saved = await f.store.loadEvents(id, mid)
    if (!saved) throw AgentError.notFound('message')
    call.res.writeHead(200, {'content-type': EVENT_STREAM_CONTENT_TYPE, 'cache-control': 'no-cache'})
    for (const sent of saved) if (sent.id > afterId) call.res.write(sse(sent))
    call.res.end()
  }),

  route(agentEndpoints.abortMessage, async (call) => {
    const live = (await sessionsFeature(call.agent)).answers.get(call.params.mid ?? '')
    if (!live || live.sessionId !== sid(call) || live.done) return {aborted: false}
    live.abort.abort(new Error('stopped by the user'))
    return {aborted: true}
  }),

  route(agentEndpoints.approveTool, async (call) => {
    const id = sid(call)
    const body = (await call.json<{tool_call_id?: unknown; approve?: unknown}>()) ?? {}
    if (typeof body.tool_call_id !== 'string' || body.tool_call_id.length === 0 || body.tool_call_id.length > MAX_TOOL_CALL_ID_CHARS || typeof body.approve !== 'boolean') {
      throw AgentError.badRequest('Send {"tool_call_id": "…", "approve": true|false}.')
    }
    const live = (await sessionsFeature(call.agent)).answers.get(call.params.mid ?? '')
    if (!live || live.sessionId !== id || live.done) return {accepted: false}
    return {accepted: live.approvals.answer(body.tool_call_id, body.approve)}
  }),
]
