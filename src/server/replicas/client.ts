import {Agent, request, type Dispatcher} from 'undici'
import type {AgentRoute} from '../../runtime/agent-client.js'
import {signHop} from './hop.js'

/** The internal paths, written once: the client builds them, the internal listener serves them. */
export const INTERNAL_PREFIX = '/internal/v1'
export const internalPaths = {
  agent: (instanceId: string, agentPath: string) => `${INTERNAL_PREFIX}/instances/${instanceId}/agent${agentPath}`,
  op: (instanceId: string, op: 'boot' | 'stop' | 'destroy' | 'storage') => `${INTERNAL_PREFIX}/instances/${instanceId}/${op}`,
  health: `${INTERNAL_PREFIX}/health`,
}

export interface ReplicaAddress {
  id: string
  internal_url: string | null
}

/**
 * Signed HTTP from this replica to another's internal listener. One connection pool per replica
 * address, reused by the gateway's hot path. No user credential is ever passed to it.
 */
export class ReplicaClient {
  private readonly pools = new Map<string, Agent>()

  constructor(private readonly key: Buffer) {}

  private pool(origin: string): Dispatcher {
    let agent = this.pools.get(origin)
    if (!agent) {
      agent = new Agent({keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0, connect: {timeout: 5_000}})
      this.pools.set(origin, agent)
    }
    return agent
  }

  /** The route to an agent another replica runs, through that replica's internal listener. */
  agentRoute(instanceId: string, to: {replicaId: string; endpoint: string}): AgentRoute {
    const origin = new URL(to.endpoint).origin
    return {
      dispatcher: this.pool(origin),
      replicaId: to.replicaId,
      url: (path) => origin + internalPaths.agent(instanceId, path),
      headers: (method, path, body) => signHop(this.key, {target: to.replicaId, method, path: internalPaths.agent(instanceId, path), body}),
    }
  }

  /** One internal call; `body` is JSON unless it is already bytes (storage copies). */
  async call<T = unknown>(
    to: ReplicaAddress,
    method: Dispatcher.HttpMethod,
    path: string,
    body?: unknown,
    opts: {timeoutMs?: number} = {},
  ): Promise<{status: number; body: T}> {
    if (!to.internal_url) throw new Error(`replica ${to.id} has no internal address`)
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body))
    const origin = new URL(to.internal_url).origin
    const res = await request(origin + path, {
      method,
      dispatcher: this.pool(origin),
      headers: {
        ...signHop(this.key, {target: to.id, method, path, body: payload}),
        ...(payload === undefined ? {} : {'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json'}),
      },
      body: payload,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    })
    const text = await res.body.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {}
    return {status: res.statusCode, body: parsed as T}
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((a) => a.close().catch(() => {})))
    this.pools.clear()
  }
}
