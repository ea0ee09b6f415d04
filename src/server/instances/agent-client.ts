import {Agent, request, type Dispatcher} from 'undici'
import {INSTANCE_SECRET_HEADER} from '../../contract/agent-header.js'

export {INSTANCE_SECRET_HEADER}

/**
 * How the API reaches one instance's agent: over its unix socket when this replica runs it, or
 * through the owning replica's internal listener (src/server/replicas). Callers write the agent's
 * own paths; the route says where they go and which credentials go with them.
 */
export interface AgentRoute {
  readonly dispatcher: Dispatcher
  /** Which replica answers (this one for a local route). */
  readonly replicaId: string | null
  url(path: string): string
  /** The credentials for one request; a remote hop signs the method, path and body. */
  headers(method: string, path: string, body?: Buffer): Record<string, string>
}

/**
 * HTTP to an agent over its unix socket. One undici Agent per socket path, kept while the
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
    return {
      dispatcher: this.dispatcher(socketPath),
      replicaId: null,
      url: (path) => `http://instance${path}`,
      headers: () => ({[INSTANCE_SECRET_HEADER]: secret}),
    }
  }

  /** A small JSON call (public key, sealed key upload, workspace files). */
  async json<T>(route: AgentRoute, method: Dispatcher.HttpMethod, path: string, body?: unknown, signal?: AbortSignal): Promise<{status: number; body: T}> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const res = await request(route.url(path), {
      method,
      dispatcher: route.dispatcher,
      headers: {
        ...route.headers(method, path, payload),
        ...(payload === undefined ? {} : {'content-type': 'application/json'}),
      },
      body: payload,
      signal,
    })
    const text = await res.body.text()
    return {status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as T}
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
