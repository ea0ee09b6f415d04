import type {Instance} from '../../contract/instances.js'
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

/** Human lines for `show` and after a change. */
export function describeInstance(i: Instance): string[] {
  const iso = i.isolation
  return [
    `${i.name} (${i.id})`,
    `  state:        ${i.state}${i.failure_reason ? ` — ${i.failure_reason}` : ''}`,
    `  model:        ${i.model}`,
    ...(i.replica ? [`  replica:      ${i.replica}`] : []),
    `  created:      ${i.created_at}`,
    `  last active:  ${i.last_active_at}`,
    `  idle pause:   ${i.pauses_at ?? '—'}`,
    `  removal:      ${i.removes_at} (if unused until then)`,
    `  plan:         ${describePlan(i.plan)}`,
    `  tool policy:  ${describePolicy(i.tools)}`,
    `  tools:        ${describeEffectiveTools(i.tools, i.plan)}`,
    `  isolation:    ${iso ? `${iso.mode}${iso.namespaces.length ? ` (namespaces: ${iso.namespaces.join(', ')})` : ''}${iso.note ? ` — ${iso.note}` : ''}` : 'not started yet'}`,
  ]
}
