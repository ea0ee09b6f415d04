import type {ToolResult} from '../../src/agent/tools/types.js'
import {agentApi} from '../../src/contract/routes/index.js'
import type {startTestServer} from '../helpers/server.js'

export type TestServer = Awaited<ReturnType<typeof startTestServer>>

/** One tool call in instance `id`'s real agent, on its socket with its secret (as the server does). */
export async function runTool(server: TestServer, id: string, name: string, args: unknown, timeoutMs = 60_000): Promise<ToolResult> {
  const manager = server.ctx.instances
  const res = await manager.agents.call(await manager.connect(id), agentApi.runTool, {params: {name}, body: {args}, signal: AbortSignal.timeout(timeoutMs)})
  if (!res.ok) throw new Error(`POST /tools/${name} answered ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body
}
