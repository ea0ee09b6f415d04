import type {PlanAllows} from '../../contract/plans.js'
import type {InstanceTools} from '../../contract/tool-policy.js'

/** One line for what a plan allows: `dedicated: tools by instance policy, 2000 messages a day`. */
export function describePlan(plan: PlanAllows): string {
  const tools = plan.tools ? 'tools by each instance’s policy' : 'chat only (no tools)'
  return `${plan.name}: ${tools}, ${plan.messages_per_day} messages a day, ${plan.concurrent_streams} answers at once`
}

/** The policy as set, e.g. `coding, allow web_fetch, deny exec`. */
export function describePolicy(tools: InstanceTools): string {
  return [tools.profile, tools.allow.length ? `allow ${tools.allow.join(', ')}` : '', tools.deny.length ? `deny ${tools.deny.join(', ')}` : '']
    .filter(Boolean)
    .join(', ')
}

/** The tools a message gets now, and why when there are none. */
export function describeEffectiveTools(tools: InstanceTools, plan: PlanAllows): string {
  if (!plan.tools) return `none: the ${plan.name} plan is chat only`
  return tools.effective.length ? tools.effective.join(', ') : 'none (the policy grants no tool)'
}
