import type {ToolResult} from '../../src/agent/tools/types.js'
import type {startTestServer} from '../helpers/server.js'

export type TestServer = Awaited<ReturnType<typeof startTestServer>>

/** One tool call in instance `id`'s real agent, on its socket with its secret (as the server does). */
export async function runTool(server: TestServer, id: string, name: string, args: unknown, timeoutMs = 60_000): Promise<ToolResult> {
  const manager = server.ctx.instances
  const res = await manager.agents.json<ToolResult>(await manager.connect(id), 'POST', `/tools/${name}`, {args}, {signal: AbortSignal.timeout(timeoutMs)})
  if (res.status !== 200) throw new Error(`POST /tools/${name} answered ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body
}
