import {instanceArg} from '../../../src/cli/kit/flags.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {instanceApi} from '../../../src/cli/instances/ref.js'
import {describeEffectiveTools, describePlan, describePolicy} from '../../../src/cli/instances/view.js'
import type {Output} from '../../../src/cli/kit/context.js'
import type {Instance} from '../../../src/contract/instances.js'
import type {PlanAllows} from '../../../src/contract/plans.js'
import type {InstanceTools} from '../../../src/contract/tool-policy.js'

export interface InstanceToolsResult {
  instance: {id: string; name: string}
  tools: InstanceTools
  plan: PlanAllows
}

/** What both `tools show` and `tools set` print and answer. */
export function sayTools(out: Output, {id, name, tools, plan}: Instance): InstanceToolsResult {
  out.say(`${name} (${id})`)
  out.say(`  plan:         ${describePlan(plan)}`)
  out.say(`  tool policy:  ${describePolicy(tools)}`)
  out.say(`  tools:        ${describeEffectiveTools(tools, plan)}`)
  return {instance: {id, name}, tools, plan}
}

export default class InstanceToolsShow extends BaseCommand {
  static override summary = 'Show an instance’s tool policy and the tools a message may use under your plan.'
  static override examples = ['<%= config.bin %> instance tools show', '<%= config.bin %> instance tools show my-agent --json']
  static override args = {instance: instanceArg}

  async run(): Promise<InstanceToolsResult> {
    const {args, flags} = await this.parse(InstanceToolsShow)
    const {api, ref} = await instanceApi(this.factory(flags), args.instance)
    return sayTools(this.out, await api.instances.get({ref}))
  }
}
