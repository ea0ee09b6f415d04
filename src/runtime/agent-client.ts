import {Agent, request, type Dispatcher} from 'undici'
import {INSTANCE_SECRET_HEADER} from '../contract/agent-header.js'

export {INSTANCE_SECRET_HEADER}

/**
 * The one client for the server → agent wire: the API's calls (keys, workspace, sessions), the
 * gateway's dispatchers, the driver's health check, the bench and the tests all go through here.
 *
 * An AgentRoute says where a request goes and with which credentials: the agent's unix socket with
 * the instance secret when this replica runs it, or another replica's internal listener with a
 * signed hop (src/server/replicas builds those). Callers write the agent's own paths.
 */
export interface AgentRoute {
  readonly dispatcher: Dispatcher
  /** Which replica answers (null for a local route). */
  readonly replicaId: string | null
  url(path: string): string
  /** The credentials for one request; a remote hop signs the method, path and body. */
  headers(method: string, path: string, body?: Buffer): Record<string, string>
}

/** Checks an answer: a contract schema (zod's `parse`), named structurally so this module needs no zod. */
export interface AnswerSchema<T> {
  parse(value: unknown): T
}

/** A successful answer that breaks its contract: the agent and the server disagree. */
export class AgentAnswerError extends Error {
  constructor(method: string, path: string, status: number) {
    super(`the agent's answer to ${method} ${path.split('?')[0]} (${status}) does not match its contract`)
    this.name = 'AgentAnswerError'
  }
}

export interface AgentAnswer<T> {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON, or the text when it is not JSON. With a schema, a 2xx body is checked and typed. */
  body: T
}

export interface AgentCallOptions<T> {
  body?: unknown
  headers?: Record<string, string>
  timeoutMs?: number
  signal?: AbortSignal
  /** The contract of a 2xx answer; error answers (problem+json) are left unchecked. */
  schema?: AnswerSchema<T>
}

const localUrl = (path: string) => `http://instance${path}`

/** A small JSON call along a route. */
export async function agentCall<T = unknown>(route: AgentRoute, method: Dispatcher.HttpMethod, path: string, opts: AgentCallOptions<T> = {}): Promise<AgentAnswer<T>> {
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
  if (opts.schema && res.statusCode >= 200 && res.statusCode < 300) {
    try {
      body = opts.schema.parse(body)
    } catch {
      throw new AgentAnswerError(method, path, res.statusCode)
    }
  }
  return {status: res.statusCode, headers: res.headers, body: body as T}
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
    return {dispatcher: this.dispatcher(socketPath), replicaId: null, url: localUrl, headers: () => ({[INSTANCE_SECRET_HEADER]: secret})}
  }

  /**
   * A small JSON call (public key, sealed key upload, workspace files). Pass the contract schema
   * where one exists: a 2xx answer is then checked rather than trusted.
   */
  json<T = unknown>(route: AgentRoute, method: Dispatcher.HttpMethod, path: string, body?: unknown, opts: {schema?: AnswerSchema<T>; signal?: AbortSignal} = {}) {
    return agentCall(route, method, path, {...opts, body})
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
export async function agentRequest<T = unknown>(
  target: {socketPath: string; secret?: string},
  method: Dispatcher.HttpMethod,
  path: string,
  opts: Omit<AgentCallOptions<T>, 'signal'> = {},
): Promise<AgentAnswer<T>> {
  const dispatcher = new Agent({connect: {socketPath: target.socketPath}, pipelining: 0})
  const route: AgentRoute = {
    dispatcher,
    replicaId: null,
    url: localUrl,
    headers: (): Record<string, string> => (target.secret === undefined ? {} : {[INSTANCE_SECRET_HEADER]: target.secret}),
  }
  try {
    return await agentCall(route, method, path, {timeoutMs: 5000, ...opts})
  } finally {
    void dispatcher.destroy().catch(() => {})
  }
}
