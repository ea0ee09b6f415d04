import {Agent, request, type Dispatcher} from 'undici'
import {INSTANCE_SECRET_HEADER} from '../../contract/agent-header.js'

export {INSTANCE_SECRET_HEADER}

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

  /** A small JSON call (public key, sealed key upload, workspace files). */
  async json<T>(
    target: {socketPath: string; secret: string},
    method: Dispatcher.HttpMethod,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{status: number; body: T}> {
    const res = await request(`http://instance${path}`, {
      method,
      dispatcher: this.dispatcher(target.socketPath),
      headers: {
        [INSTANCE_SECRET_HEADER]: target.secret,
        ...(body === undefined ? {} : {'content-type': 'application/json'}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
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
