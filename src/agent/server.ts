import {createHash, timingSafeEqual} from 'node:crypto'
import {once} from 'node:events'
import {chmod, rm} from 'node:fs/promises'
import type {IncomingMessage, Server, ServerResponse} from 'node:http'
import {INSTANCE_SECRET_HEADER} from '../contract/agent-header.js'
import type {AgentInit} from '../contract/agent.js'
import type {AgentContext, AgentFetch, AgentLog} from './context.js'
import {createEgressFetch} from './egress-fetch.js'
import {http} from './lean-builtins.js'
import {loadOrCreateKeyPair} from './keypair.js'
import {AgentError, AgentReply, Router, type AgentCall, type AgentRoutes} from './router.js'
import {agentRoutes} from './routes/index.js'
import {createAgentToolbox} from './tools/setup.js'
import {isDiskFull, Vault} from './vault.js'

const DEFAULT_BODY_LIMIT = 1024 * 1024
const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/**
 * The agent's HTTP server: no framework, one unix socket, every request authenticated with the
 * per-instance secret (compared in constant time) before routing. Unauthenticated callers learn
 * nothing, not even which routes exist.
 */
export function createAgentServer(opts: {ctx: AgentContext; secret: string; routes: AgentRoutes}): Server {
  const router = new Router(opts.routes)
  const expected = digest(opts.secret)
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      opts.ctx.log('error', 'request failed', {error: (error as Error).message})
      if (!res.headersSent) sendProblem(res, new AgentError(500, 'internal', 'Internal error', 'The agent failed to answer.'))
      else res.destroy()
    })
  })
  // Longer than the gateway's keep-alive, so the server never closes a socket the client is reusing.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 30_000

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const given = req.headers[INSTANCE_SECRET_HEADER]
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      req.resume()
      return sendProblem(res, new AgentError(401, 'unauthenticated', 'Unauthenticated', 'This socket answers the gateway only.'))
    }
    const url = new URL(req.url ?? '/', 'http://instance')
    const found = router.match(req.method ?? 'GET', url.pathname)
    if (!('route' in found)) {
      req.resume()
      if (found.allowed.length === 0) return sendProblem(res, AgentError.notFound('route'))
      res.setHeader('allow', found.allowed.join(', '))
      return sendProblem(res, new AgentError(405, 'bad_request', 'Method not allowed', `Use ${found.allowed.join(' or ')}.`))
    }
    const aborter = new AbortController()
    const onClose = () => {
      if (!res.writableFinished) aborter.abort(new Error('the caller went away'))
    }
    res.once('close', onClose)
    const onShutdown = () => aborter.abort(new Error('the agent is shutting down'))
    opts.ctx.shutdown.addEventListener('abort', onShutdown, {once: true})
    const call: AgentCall = {
      method: found.route.method,
      params: found.params,
      query: url.searchParams,
      headers: req.headers,
      req,
      res,
      signal: aborter.signal,
      body: (limit) => readBody(req, limit ?? DEFAULT_BODY_LIMIT),
      json: async <T>(limit?: number) => {
        const raw = await readBody(req, limit ?? DEFAULT_BODY_LIMIT)
        try {
          return JSON.parse(raw.toString('utf8')) as T
        } catch {
          throw AgentError.badRequest('The body is not valid JSON.')
        }
      },
      agent: opts.ctx,
    }
    try {
      const result = await found.route.handler(call)
      if (res.headersSent || res.writableEnded) return
      if (result instanceof AgentReply) return sendJson(res, result.status, result.body)
      return sendJson(res, result === undefined ? 204 : 200, result)
    } catch (error) {
      const known = error instanceof AgentError ? error : diskFull(error)
      if (!known) throw error
      if (res.headersSent) return void res.destroy()
      return sendProblem(res, known)
    } finally {
      opts.ctx.shutdown.removeEventListener('abort', onShutdown)
    }
  }
  return server
}

/** A write that found the instance's disk full says so, rather than "the agent failed to answer". */
function diskFull(error: unknown): AgentError | undefined {
  if (!isDiskFull(error)) return undefined
  return new AgentError(
    507,
    'unavailable',
    'Insufficient storage',
    "The instance's disk is full; nothing was saved.",
    'Delete sessions you no longer need (`clawd sessions delete`), or ask the server operator for more space.',
  )
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  if (body === undefined) {
    res.statusCode = status
    return void res.end()
  }
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': contentType, 'content-length': Buffer.byteLength(text)})
  res.end(text)
}

function sendProblem(res: ServerResponse, error: AgentError): void {
  const {title, status, code, detail, hint} = error
  sendJson(res, status, {type: 'about:blank', title, status, code, ...(detail ? {detail} : {}), ...(hint ? {hint} : {})}, PROBLEM_CONTENT_TYPE)
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => {
    req.resume()
    return new AgentError(413, 'payload_too_large', 'Payload too large', `The body is limited to ${limit} bytes.`)
  }
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw tooLarge()
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

export interface RunningAgent {
  ctx: AgentContext
  server: Server
  /** Stops accepting, ends open streams, and waits up to `graceMs` for answers in flight. */
  close(graceMs?: number): Promise<void>
}

export interface StartAgentOptions {
  routes?: AgentRoutes
  log?: AgentLog
  /** Replaces the egress fetch (tests of routes in this process). */
  fetch?: AgentFetch
}

/**
 * Builds the agent from its init message and listens on its socket: opens the vault, makes or
 * loads the key pair, wires the egress fetch. Used by main.ts, and in-process by tests.
 */
export async function startAgent(init: AgentInit, dataKey: Buffer, opts: StartAgentOptions = {}): Promise<RunningAgent> {
  const log = opts.log ?? jsonLog(init.instance_id)
  const vault = await Vault.open(init.dir, dataKey)
  const keys = await loadOrCreateKeyPair(vault)
  const shutdown = new AbortController()
  const ctx: AgentContext = {
    instanceId: init.instance_id,
    config: init.config,
    vault,
    keys,
    fetch: opts.fetch ?? (init.egress_socket ? createEgressFetch({socketPath: init.egress_socket}) : noNetwork),
    log,
    startedAt: Date.now(),
    shutdown: shutdown.signal,
  }
  const tools = createAgentToolbox({config: init.config, vault, fetch: ctx.fetch, egressSocket: init.egress_socket, log})
  ctx.toolbox = tools.toolbox
  const server = createAgentServer({ctx, secret: init.secret, routes: opts.routes ?? agentRoutes})
  await rm(init.socket, {force: true})
  server.listen(init.socket)
  await once(server, 'listening')
  await chmod(init.socket, 0o600)
  log('info', 'agent listening', {pid: process.pid})
  let closing: Promise<void> | undefined
  return {
    ctx,
    server,
    close(graceMs = 3000) {
      closing ??= (async () => {
        shutdown.abort()
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        const timer = setTimeout(() => server.closeAllConnections(), graceMs)
        await closed
        clearTimeout(timer)
        await tools.close().catch(() => {})
        await rm(init.socket, {force: true}).catch(() => {})
      })()
      return closing
    },
  }
}

const noNetwork: AgentFetch = async () => {
  throw new TypeError('fetch failed', {cause: new Error('this instance has no network access (no egress proxy)')})
}

function jsonLog(instanceId: string): AgentLog {
  return (level, msg, fields) => {
    process.stdout.write(JSON.stringify({level, time: Date.now(), instance: instanceId, msg, ...fields}) + '\n')
  }
}
