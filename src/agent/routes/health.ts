import type {AgentHealth} from '../../contract/agent.js'
import {agentEndpoints} from '../../contract/agent-endpoints.js'
import {route} from '../router.js'

/** Liveness for the driver's start-up wait and the benchmark (which reads the RSS from here). */
export const healthRoute = route(agentEndpoints.health, ({agent}): AgentHealth => {
  const memory = process.memoryUsage()
  return {
    ok: true,
    instance_id: agent.instanceId,
    uptime_ms: Date.now() - agent.startedAt,
    rss_bytes: memory.rss,
    heap_used_bytes: memory.heapUsed,
  }
})
