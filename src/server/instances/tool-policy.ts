import {TOOL_GROUPS, TOOL_NAMES, type ToolName} from '../../contract/tool-names.js'
import type {InstanceTools, ToolPolicy} from '../../contract/tool-policy.js'
import {ApiError} from '../errors.js'

/** What the policy functions need of a plan. */
export interface PlanToolGate {
  name: string
  tools: boolean
}

const PROFILE_TOOLS: Record<ToolPolicy['profile'], readonly ToolName[]> = {
  minimal: [],
  coding: TOOL_NAMES,
}

function expand(entry: string): readonly ToolName[] {
  if (entry === '*') return TOOL_NAMES
  if (entry.startsWith('group:')) return TOOL_GROUPS[entry] ?? []
  return (TOOL_NAMES as readonly string[]).includes(entry) ? [entry as ToolName] : []
}

/**
 * The tools a policy grants, as OpenClaw resolves `tools.profile`, `tools.allow` and
 * `tools.deny`: the profile's base set plus `allow`, minus `deny` (deny wins), in TOOL_NAMES
 * order. Entries are already validated by the contract; anything unknown grants nothing.
 */
export function resolveToolPolicy(policy: ToolPolicy): ToolName[] {
  const granted = new Set<ToolName>(PROFILE_TOOLS[policy.profile] ?? [])
  for (const entry of policy.allow) for (const name of expand(entry)) granted.add(name)
  for (const entry of policy.deny) for (const name of expand(entry)) granted.delete(name)
  return TOOL_NAMES.filter((name) => granted.has(name))
}

/**
 * The tools one message may use: the policy's when the plan allows tools, else none. This is the
 * one place that decision is made; the gateway sends its result to the agent.
 */
export function effectiveTools(plan: PlanToolGate, policy: ToolPolicy): ToolName[] {
  return plan.tools ? resolveToolPolicy(policy) : []
}

/** The profile a new instance gets when none is asked for: all tools where the plan has them. */
export function defaultToolPolicy(plan: PlanToolGate): ToolPolicy {
  return {profile: plan.tools ? 'coding' : 'minimal', allow: [], deny: []}
}

/** Refuses a policy that grants any tool on a plan without tools (free is chat only). */
export function assertPolicyFitsPlan(plan: PlanToolGate, policy: ToolPolicy): void {
  if (plan.tools) return
  const granted = resolveToolPolicy(policy)
  if (granted.length === 0) return
  throw new ApiError(403, 'plan_forbids_tools', 'Tools are not in your plan', {
    detail: `The ${plan.name} plan is chat only: it does not allow tools (this policy grants ${granted.join(', ')}).`,
    hint: 'Keep the minimal profile, or ask the server operator for the dedicated plan (an invite code signs up into it).',
  })
}

/** The policy as an instance reports it. */
export function instanceTools(plan: PlanToolGate, policy: ToolPolicy): InstanceTools {
  return {profile: policy.profile, allow: [...policy.allow], deny: [...policy.deny], effective: effectiveTools(plan, policy)}
}
