import type {IncomingHttpHeaders, IncomingMessage, ServerResponse} from 'node:http'
import type {ErrorCode} from '../contract/problem.js'
import type {AgentContext} from './context.js'

/**
 * The agent's route table: plain objects, matched by method and path pattern (`:name` captures
 * one segment). The endpoints are the contract's; adding a route is one line there and one in
 * src/agent/routes/index.ts:
 *
 *   route(agentEndpoints.getSession, async (call) => ({id: call.params.sid}))
 *
 * A handler returns a JSON value (200), `reply(status, body)`, or writes `call.res` itself
 * (streams) and returns nothing; it throws `AgentError` for a problem+json answer.
 */
export type AgentMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface AgentCall {
  method: AgentMethod
  /** The decoded path parameters. */
  params: Record<string, string>
  query: URLSearchParams
  headers: IncomingHttpHeaders
  req: IncomingMessage
  res: ServerResponse
  /** Aborted when the caller goes away before the answer is complete, or the agent stops. */
  signal: AbortSignal
  /** The request body, refused past `limitBytes` (default 1 MiB) with a 413. */
  body(limitBytes?: number): Promise<Buffer>
  /** The body parsed as JSON; a 400 when it is not. */
  json<T = unknown>(limitBytes?: number): Promise<T>
  agent: AgentContext
}

export type AgentHandler = (call: AgentCall) => unknown
export interface AgentRoute {
  method: AgentMethod
  path: string
  handler: AgentHandler
}
export type AgentRoutes = readonly AgentRoute[]

/** A handler on one of the agent's endpoints, as the contract names them (src/contract/agent-endpoints.ts). */
export function route(endpoint: {method: AgentMethod; path: string}, handler: AgentHandler): AgentRoute {
  return {method: endpoint.method, path: endpoint.path, handler}
}

/** An answer with a status other than 200. */
export class AgentReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}
export const reply = (status: number, body?: unknown) => new AgentReply(status, body)

/** A deliberate error: becomes RFC 9457 problem+json with the contract's stable code. */
export class AgentError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly title: string,
    readonly detail?: string,
    readonly hint?: string,
  ) {
    super(detail ?? title)
    this.name = 'AgentError'
  }
  static badRequest(detail: string) {
    return new AgentError(400, 'bad_request', 'Bad request', detail)
  }
  static notFound(what = 'resource') {
    return new AgentError(404, 'not_found', 'Not found', `No such ${what}.`)
  }
  static conflict(detail: string) {
    return new AgentError(409, 'conflict', 'Conflict', detail)
  }
}

/** Matches paths against the table. `allowed` lists the methods of a path that exists (for 405). */
export class Router {
  private readonly compiled: Array<AgentRoute & {segments: string[]}>

  constructor(routes: AgentRoutes) {
    this.compiled = routes.map((r) => ({...r, segments: splitPath(r.path)}))
    const seen = new Set<string>()
    for (const r of this.compiled) {
      const key = `${r.method} ${r.segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/')}`
      if (seen.has(key)) throw new Error(`duplicate agent route ${r.method} ${r.path}`)
      seen.add(key)
    }
  }

  match(method: string, pathname: string): {route: AgentRoute; params: Record<string, string>} | {allowed: AgentMethod[]} {
    const parts = splitPath(pathname)
    const allowed: AgentMethod[] = []
    for (const r of this.compiled) {
      const params = matchSegments(r.segments, parts)
      if (!params) continue
      if (r.method === method) return {route: r, params}
      allowed.push(r.method)
    }
    return {allowed}
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '')
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!
    const part = parts[i]!
    if (p.startsWith(':')) {
      let value: string
      try {
        value = decodeURIComponent(part)
      } catch {
        return undefined
      }
      params[p.slice(1)] = value
    } else if (p !== part) {
      return undefined
    }
  }
  return params
}
