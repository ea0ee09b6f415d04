import {Agent, request, type Dispatcher} from 'undici'
import {INSTANCE_SECRET_HEADER} from '../contract/agent-header.js'
import type {RouteBody, RouteResponse, RouteSpec} from '../contract/routes/define.js'
import {pathTo, type PathParams, type QueryValues} from '../contract/route-path.js'

/**
 * The one client for the server → agent wire: the API's calls (keys, workspace, sessions), the
 * gateway's dispatchers, the driver's health check, the bench and the tests all go through here.
 *
 * An AgentRoute says where a request goes and with which credentials: the agent's unix socket with
 * the instance secret when this replica runs it, or another replica's internal listener with a
 * signed hop (src/server/replicas builds those). Calls name the agent's contract routes.
 */
export interface AgentRoute {
  readonly dispatcher: Dispatcher
  /** Which replica answers (null for a local route). */
  readonly replicaId: string | null
  url(path: string): string
  /** The credentials for one request; a remote hop signs the method, path and body. */
  headers(method: string, path: string, body?: Buffer): Record<string, string>
}

/** A successful answer that breaks its contract: the agent and the server disagree. */
export class AgentAnswerError extends Error {
  constructor(method: string, path: string, status: number) {
    super(`the agent's answer to ${method} ${path.split('?')[0]} (${status}) does not match its contract`)
    this.name = 'AgentAnswerError'
  }
}

/** An answer as sent: parsed JSON, or the text when it is not JSON. */
export interface AgentReply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: unknown
}

/** A contract route's answer: on success its body, checked against the route's schema; else the problem as sent. */
export type AgentAnswer<R extends RouteSpec> = Omit<AgentReply, 'body'> & ({ok: true; body: RouteResponse<R>} | {ok: false; body: unknown})

export interface AgentCallOptions {
  body?: unknown
  headers?: Record<string, string>
  timeoutMs?: number
  signal?: AbortSignal
}

/** What a contract route takes: its path parameters, query and body. */
export type AgentRouteInput<R extends RouteSpec> = Omit<AgentCallOptions, 'body'> & {params?: PathParams<R['path']>; query?: QueryValues; body?: RouteBody<R>}

/** The `detail` of a problem the agent answered, if it sent one. */
export function problemDetail(body: unknown): string | undefined {
  const detail = body && typeof body === 'object' ? (body as {detail?: unknown}).detail : undefined
  return typeof detail === 'string' ? detail : undefined
}

/** A small JSON call along a route, unchecked: health probes and tests; the server's calls use `call`. */
async function agentCall(route: AgentRoute, method: Dispatcher.HttpMethod, path: string, opts: AgentCallOptions = {}): Promise<AgentReply> {
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body))
  const timeout = opts.timeoutMs === undefined ? undefined : AbortSignal.timeout(opts.timeoutMs)
  const signal = timeout && opts.signal ? AbortSignal.any([timeout, opts.signal]) : (timeout ?? opts.signal)
  let res: Dispatcher.ResponseData
  let text: string
  try {
    res = await request(route.url(path), {
      method,
      dispatcher: route.dispatcher,
      headers: {
        ...route.headers(method, path, payload),
        ...(payload === undefined ? {} : {'content-type': 'application/json'}),
        ...opts.headers,
      },
      body: payload,
      signal,
    })
    text = await res.body.text()
  } catch (error) {
    throw timeout?.aborted ? new Error(`no answer from the agent within ${opts.timeoutMs} ms`) : error
  }
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {}
  return {status: res.statusCode, headers: res.headers, body}
}

/**
 * Pooled routes to the agents this replica runs: one undici Agent per socket path, kept while the
 * instance lives, so the gateway's hot path reuses connections.
 */
export class AgentClients {
  private readonly agents = new Map<string, Agent>()

  dispatcher(socketPath: string): Dispatcher {
    let agent = this.agents.get(socketPath)
    if (!agent) {
      agent = new Agent({connect: {socketPath}, keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0})
      this.agents.set(socketPath, agent)
    }
    return agent
  }

  /** The route to an agent this replica runs. */
  localRoute(socketPath: string, secret: string): AgentRoute {
    return socketRoute(this.dispatcher(socketPath), secret)
  }

  /**
   * One of the agent's contract routes (src/contract/routes/agent.ts) along `target`: the path made
   * from its parameters, and a 2xx answer checked against the route's schema rather than trusted
   * (error answers, problem+json, are left for the caller to map).
   */
  async call<R extends RouteSpec>(target: AgentRoute, route: R, input: AgentRouteInput<R> = {}): Promise<AgentAnswer<R>> {
    const path = pathTo(route, input.params ?? ({} as PathParams<R['path']>), input.query)
    const reply = await agentCall(target, route.method, path, input)
    if (reply.status < 200 || reply.status >= 300) return {...reply, ok: false}
    const schema = route.responses[reply.status]
    if (!schema || !('safeParse' in schema)) return {...reply, ok: false}
    const checked = schema.safeParse(reply.body)
    if (!checked.success) throw new AgentAnswerError(route.method, path, reply.status)
    // The schema is the route's own for this status: what it parsed is the route's answer.
    return {...reply, ok: true, body: checked.data as RouteResponse<R>}
  }

  async forget(socketPath: string): Promise<void> {
    const agent = this.agents.get(socketPath)
    this.agents.delete(socketPath)
    await agent?.close().catch(() => {})
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close().catch(() => {})))
    this.agents.clear()
  }
}

/**
 * One call on a fresh connection, closed after: the driver's health check while an agent starts
 * (no pool to keep for a socket that may not answer yet), the bench and tests. Without a secret the
 * request goes unauthenticated, which tests use to check the agent refuses it.
 */
export async function agentRequest(
  target: {socketPath: string; secret?: string},
  method: Dispatcher.HttpMethod,
  path: string,
  opts: Omit<AgentCallOptions, 'signal'> = {},
): Promise<AgentReply> {
  const dispatcher = new Agent({connect: {socketPath: target.socketPath}, pipelining: 0})
  try {
    return await agentCall(socketRoute(dispatcher, target.secret), method, path, {timeoutMs: 5000, ...opts})
  } finally {
    void dispatcher.destroy().catch(() => {})
  }
}

/** A route over an agent's own socket, with its secret (none: unauthenticated). */
function socketRoute(dispatcher: Dispatcher, secret: string | undefined): AgentRoute {
  return {dispatcher, replicaId: null, url: (path) => `http://instance${path}`, headers: (): Record<string, string> => (secret === undefined ? {} : {[INSTANCE_SECRET_HEADER]: secret})}
}
