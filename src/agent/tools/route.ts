import {agentEndpoints} from '../../contract/agent-endpoints.js'
import {AgentError, route} from '../router.js'
import {TOOL_NAMES, type ToolName} from './types.js'

/**
 * POST /tools/:name {args} → {ok, output}: one tool call without a model. The gateway never
 * forwards it (users reach tools only through a chat turn, under their plan and policy); it is the
 * server's own seam, for the benchmark (the overhead of one exec and one read) and for tests that
 * attack the tool sandbox through the real agent.
 */
export const runToolRoute = route(agentEndpoints.runTool, async (call) => {
  const name = call.params.name
  if (!name || !(TOOL_NAMES as readonly string[]).includes(name)) throw AgentError.notFound('tool')
  const toolbox = call.agent.toolbox
  if (!toolbox) throw new AgentError(409, 'conflict', 'No tools', 'This agent has no toolbox.')
  const body = await call.json<{args?: unknown}>(4 * 1024 * 1024)
  return toolbox.run(name as ToolName, body?.args ?? {}, call.signal)
})
