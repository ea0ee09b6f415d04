import Fastify, {type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'
import {request} from 'undici'
import {instanceIdSchema} from '../../contract/instances.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {pipeUpstream} from '../gateway.js'
import {registerProblemHandler, sendProblem} from '../problem-handler.js'
import {HOP_HEADERS, HOP_WINDOW_MS, type NonceCache, verifyHop} from './hop.js'
import {INTERNAL_PREFIX, internalPaths} from './client.js'

/** Bodies: agent requests are API-sized; a storage copy is a whole instance's ciphertext. */
const AGENT_BODY_LIMIT = 16 * 1024 * 1024
const STORAGE_BODY_LIMIT = 512 * 1024 * 1024

/**
 * Headers the hop passes on to the agent: the request's own and the gateway's `x-clawd-*` (such as
 * the allowed tools), never a credential: no bearer token or cookie, no hop signature, and no
 * instance secret but the one this replica adds itself.
 */
export function passesToAgent(name: string): boolean {
  return /^(content-type|accept|last-event-id|x-clawd-(?!instance-secret$|hop-)[a-z0-9-]+)$/.test(name.toLowerCase())
}

/**
 * The internal listener: what other replicas may ask of this one, and nothing else. Every request
 * must carry a valid hop signature for this replica (src/server/replicas/hop.ts); there is no user
 * here and no bearer token is read. It serves three things:
 *  - the agent of an instance this replica runs, path for path (chat streams, abort, keys, workspace);
 *  - lifecycle work on such an instance (boot, stop, destroy), which must happen where its process is;
 *  - a drained instance's encrypted storage, arriving from the replica that is draining.
 */
export async function buildInternalApp(ctx: ServerContext, opts: {key: Buffer; self: string; nonces: NonceCache}): Promise<FastifyInstance> {
  const app = Fastify({loggerInstance: ctx.log.child({component: 'internal'}), bodyLimit: AGENT_BODY_LIMIT, disableRequestLogging: true})
  registerProblemHandler(app)
  // Bodies stay bytes: the signature covers them exactly as sent.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', {parseAs: 'buffer'}, (_req, body, done) => done(null, body))

  // Cheap refusals before any body is read: no credential, or one for another replica or time.
  app.addHook('onRequest', async (req, reply) => {
    const target = req.headers[HOP_HEADERS.target]
    const at = Number(req.headers[HOP_HEADERS.timestamp])
    if (!req.headers[HOP_HEADERS.signature] || target !== opts.self || !(Math.abs(Date.now() - at) <= HOP_WINDOW_MS)) {
      return refuse(req, reply, 'missing, stale or misdirected')
    }
  })
  app.addHook('preHandler', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : undefined
    const verdict = verifyHop(opts.key, opts.self, req.headers, {method: req.method, path: req.url, body}, opts.nonces)
    if (!verdict.ok) return refuse(req, reply, verdict.reason)
  })

  app.get(internalPaths.health, async () => ({status: 'ok', replica: opts.self}))

  type IdParams = {Params: {id: string; '*'?: string}}
  const local = async (id: string) => {
    if (!instanceIdSchema.safeParse(id).success) throw ApiError.notFound('instance')
    const row = await ctx.instances.getById(id)
    if (!row || !ctx.instances.isLocal(row)) throw ApiError.notFound('instance', 'This replica does not run it.')
    return row
  }
  const json = (req: FastifyRequest) => (Buffer.isBuffer(req.body) && req.body.length ? JSON.parse(req.body.toString('utf8')) : {}) as Record<string, unknown>

  // The hot path: no database here, the edge replica has checked the user and the placement; the
  // process table says whether this replica runs the agent now.
  app.all<IdParams>(`${INTERNAL_PREFIX}/instances/:id/agent/*`, async (req, reply) => {
    const id = req.params.id
    if (!instanceIdSchema.safeParse(id).success || (await ctx.instances.driver.status(id)) !== 'running') {
      throw ApiError.unavailable('The instance is not running on this replica.', 'Try again; its placement may have just changed.')
    }
    return proxyToAgent(ctx, req, reply, id)
  })

  app.post<IdParams>(internalPaths.op(':id', 'boot'), async (req) => {
    await local(req.params.id)
    const body = json(req)
    const from = body.from === 'creating' ? 'creating' : 'resuming'
    await ctx.instances.bootHere(req.params.id, from, body.first_boot === true)
    return {ok: true}
  })
  app.post<IdParams>(internalPaths.op(':id', 'stop'), async (req) => {
    await local(req.params.id)
    await ctx.instances.stopHere(req.params.id, String(json(req).event ?? 'instance.paused'))
    return {ok: true}
  })
  app.post<IdParams>(internalPaths.op(':id', 'destroy'), async (req) => {
    await local(req.params.id)
    await ctx.instances.destroyHere(req.params.id, String(json(req).event ?? 'instance.deleted'))
    return {ok: true}
  })
  // A drain elsewhere sends the storage here before it records this replica as the instance's.
  app.put<IdParams>(internalPaths.op(':id', 'storage'), {bodyLimit: STORAGE_BODY_LIMIT}, async (req) => {
    if (!instanceIdSchema.safeParse(req.params.id).success || !Buffer.isBuffer(req.body)) throw ApiError.badRequest('A storage archive is expected.')
    const row = await ctx.instances.getById(req.params.id)
    if (!row) throw ApiError.notFound('instance')
    await ctx.instances.driver.destroy(req.params.id) // a copy left by an earlier, cut-off attempt
    await ctx.instances.driver.importStorage(req.params.id, req.body)
    return {ok: true, bytes: req.body.length}
  })
  return app
}

function refuse(req: FastifyRequest, reply: FastifyReply, reason: string): FastifyReply {
  req.log.warn({hop: reason, url: req.url.slice(0, 200), from: req.ip}, 'internal request refused')
  return sendProblem(reply, ApiError.unauthenticated('This listener only answers other replicas of this service.', 'Use the public API port.'))
}

/** One agent request, streamed both ways; the far end's close aborts the agent's work. */
async function proxyToAgent(ctx: ServerContext, req: FastifyRequest<{Params: {id: string; '*'?: string}}>, reply: FastifyReply, id: string) {
  const route = ctx.instances.localRoute(id)
  const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''
  const agentPath = `/${req.params['*'] ?? ''}${query}`
  const abort = new AbortController()
  const unregister = ctx.instances.streams.add(id, () => abort.abort())
  const onGone = () => abort.abort()
  reply.raw.once('close', onGone)
  try {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && passesToAgent(name)) headers[name] = value
    const body = Buffer.isBuffer(req.body) && req.body.length ? req.body : undefined
    let upstream
    try {
      upstream = await request(route.url(agentPath), {
        method: req.method as 'GET',
        dispatcher: route.dispatcher,
        headers: {...headers, ...route.headers(req.method, agentPath, body)},
        body,
        signal: abort.signal,
      })
    } catch {
      throw ApiError.unavailable('The instance did not answer.', 'Try again; if it persists, see `clawd instance show`.')
    }
    reply.hijack()
    const raw = reply.raw
    const out: Record<string, string> = {}
    for (const name of ['content-type', 'cache-control', 'retry-after']) {
      const v = upstream.headers[name]
      if (typeof v === 'string') out[name] = v
    }
    raw.writeHead(upstream.statusCode, out)
    raw.flushHeaders()
    // A cut (the agent stopped, or the far end went away) closes the connection: that tells the far end.
    if (await pipeUpstream(upstream.body, raw)) raw.end()
    else raw.destroy()
    return reply
  } finally {
    unregister()
    reply.raw.off('close', onGone)
  }
}
