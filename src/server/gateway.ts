import type {ServerResponse} from 'node:http'
import type {FastifyReply, FastifyRequest} from 'fastify'
import {request} from 'undici'
import {ALLOWED_TOOLS_HEADER} from '../contract/agent-header.js'
import type {StreamErrorCode, StreamEvent} from '../contract/stream.js'
import {EVENT_STREAM_CONTENT_TYPE, isEventStream, sseFrame} from '../sse/frame.js'
import type {ServerContext} from './context.js'
import {ApiError} from './errors.js'
import type {InstanceLifecycle} from './instances/lifecycle.js'
import {type InstanceRow, touchInstance} from './instances/repo.js'

const STREAM_END_MESSAGES: Partial<Record<StreamErrorCode, {message: string; hint: string}>> = {
  instance_deleted: {message: 'The instance was deleted while this answer was streaming.', hint: 'Create a new instance with `clawd instance create`.'},
  instance_unavailable: {message: 'The instance stopped while this answer was streaming.', hint: 'Send the message again; the instance restarts on demand.'},
}

/**
 * The headers of one request to an agent, besides how it is authenticated (the instance secret on
 * this replica's socket, or the signed hop to another: `manager.routeFor`): on a message, the
 * tools it may use (comma-separated, empty for none), so the agent never decides that itself.
 * Only what the caller computed goes in: the gateway reads no body.
 */
export function agentRequestHeaders(opts: {hasBody: boolean; lastEventId?: string; allowedTools?: readonly string[]}): Record<string, string> {
  return {
    ...(opts.hasBody ? {'content-type': 'application/json'} : {}),
    ...(opts.lastEventId === undefined ? {} : {'last-event-id': opts.lastEventId}),
    ...(opts.allowedTools === undefined ? {} : {[ALLOWED_TOOLS_HEADER]: opts.allowedTools.join(',')}),
  }
}

/**
 * Copies an upstream body to `raw` as it arrives, waiting out back-pressure; false if it broke off
 * (upstream failed, or the client went away). A client gone while we wait for 'drain' never drains:
 * 'close' ends that wait too, or the request (and the stream slot it holds) would hang forever.
 */
export async function pipeUpstream(body: AsyncIterable<Buffer>, raw: ServerResponse): Promise<boolean> {
  try {
    for await (const chunk of body) {
      if (raw.destroyed) return false
      if (!raw.write(chunk)) await drainedOrClosed(raw)
    }
    return !raw.destroyed
  } catch {
    return false
  }
}

function drainedOrClosed(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done)
      raw.off('close', done)
      resolve()
    }
    raw.once('drain', done)
    raw.once('close', done)
  })
}

/**
 * The gateway: an authenticated reverse proxy from the API to an instance. It resumes a paused
 * instance first, then goes to the instance's route (`manager.routeFor`): its unix socket with the
 * per-instance secret when this replica runs it, else the owning replica's internal listener over
 * a signed hop (src/server/replicas). It streams SSE through without buffering or reading it, and
 * aborts the instance's work when the client goes away (a cut hop cancels the far side's too).
 */
export async function forwardToInstance(
  ctx: ServerContext,
  manager: InstanceLifecycle,
  req: FastifyRequest,
  reply: FastifyReply,
  target: {
    userId: string
    ref: string
    method: 'GET' | 'POST' | 'PUT' | 'DELETE'
    path: string
    body?: unknown
    /** Set on message requests: the tools this message may use (see effectiveTools). */
    allowedTools?: readonly string[]
    /** The row, already found running and touched by the caller in its own transaction. */
    running?: InstanceRow
    /**
     * Runs once the instance has answered in full, before the client sees the end: a stream slot
     * freed here is free for the client's very next message, whichever replica that reaches.
     */
    beforeEnd?: () => Promise<void>
  },
): Promise<FastifyReply> {
  const row = target.running ?? (await manager.ensureRunning(target.userId, target.ref))
  if (!target.running) await ctx.db.asUser(target.userId, (q) => touchInstance(q, row.id))
  const route = manager.routeFor(row)

  const abort = new AbortController()
  let endReason: StreamErrorCode | undefined
  const unregister = manager.streams.add(row.id, (reason) => {
    endReason = reason
    abort.abort()
  })
  // A client that goes away stops the instance's work (and so the provider call).
  const onClientGone = () => abort.abort()
  req.raw.socket?.once('close', onClientGone)
  reply.raw.once('close', onClientGone)

  try {
    const lastEventId = req.headers['last-event-id']
    const body = target.body === undefined ? undefined : Buffer.from(JSON.stringify(target.body))
    let upstream
    try {
      upstream = await request(route.url(target.path), {
        method: target.method,
        dispatcher: route.dispatcher,
        headers: {
          ...route.headers(target.method, target.path, body),
          ...agentRequestHeaders({
            hasBody: body !== undefined,
            lastEventId: typeof lastEventId === 'string' ? lastEventId : undefined,
            allowedTools: target.allowedTools,
          }),
        },
        body,
        signal: abort.signal,
      })
    } catch (error) {
      if (endReason) throw ApiError.notFound('instance')
      throw ApiError.unavailable(`Instance "${row.name}" did not answer.`, 'Try again; if it persists, see `clawd instance show`.')
    }
    const contentType = String(upstream.headers['content-type'] ?? 'application/json')
    if (!isEventStream(contentType)) {
      const text = await upstream.body.text()
      await target.beforeEnd?.()
      return reply.code(upstream.statusCode).type(contentType).send(text)
    }
    reply.hijack()
    const raw = reply.raw
    raw.writeHead(upstream.statusCode, {
      'content-type': EVENT_STREAM_CONTENT_TYPE,
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    const broken = !(await pipeUpstream(upstream.body, raw))
    // A stream cut under us (the agent crashed: its exit is recorded a moment later, so endReason
    // may not be set yet) ends with an event that says so, not a silently closed connection.
    const reason = endReason ?? (broken ? 'instance_unavailable' : undefined)
    if (reason && !raw.destroyed) {
      const end = STREAM_END_MESSAGES[reason] ?? {message: 'The stream ended.', hint: 'Try again.'}
      const event: StreamEvent = {type: 'error', code: reason, message: end.message, hint: end.hint}
      raw.write(sseFrame({event: 'error', data: JSON.stringify(event)}))
    }
    await target.beforeEnd?.()
    raw.end()
    return reply
  } finally {
    unregister()
    req.raw.socket?.off('close', onClientGone)
    await ctx.db.asUser(target.userId, (q) => touchInstance(q, row.id, 0)).catch(() => {})
  }
}
