import type {AgentConfig} from '../../contract/agent.js'

/** Bounds on one answer's tool loop, from the agent's init config (DESIGN §5: bounded by steps and time). */
export interface ToolLoopLimits {
  /** Model calls in one answer; the model still asking for tools after this many is stopped. */
  maxSteps: number
  /** Wall time of one answer that may use tools, tool runs and approvals included. */
  maxMs: number
  /** How long a call waits for the person's yes or no before it is skipped. */
  approvalTimeoutMs: number
}

export const DEFAULT_TOOL_LOOP_LIMITS: ToolLoopLimits = {maxSteps: 16, maxMs: 5 * 60_000, approvalTimeoutMs: 2 * 60_000}

export function toolLoopLimits(config: AgentConfig): ToolLoopLimits {
  const pick = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback)
  return {
    maxSteps: Math.floor(pick(config.toolMaxSteps, DEFAULT_TOOL_LOOP_LIMITS.maxSteps)),
    maxMs: pick(config.toolMaxMs, DEFAULT_TOOL_LOOP_LIMITS.maxMs),
    approvalTimeoutMs: pick(config.toolApprovalTimeoutMs, DEFAULT_TOOL_LOOP_LIMITS.approvalTimeoutMs),
  }
}
