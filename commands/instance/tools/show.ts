import {instanceArg} from '../../../src/cli/kit/flags.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {instanceApi} from '../../../src/cli/instances/ref.js'
import {describeEffectiveTools, describePlan, describePolicy} from '../../../src/cli/instances/view.js'
import type {PlanAllows} from '../../../src/contract/plans.js'
import type {InstanceTools} from '../../../src/contract/tool-policy.js'

export interface InstanceToolsResult {
  instance: {id: string; name: string}
  tools: InstanceTools
  plan: PlanAllows
}

/** The lines both `tools show` and `tools set` print. */
export function toolsLines(r: InstanceToolsResult): string[] {
  return [
    `${r.instance.name} (${r.instance.id})`,
    `  plan:         ${describePlan(r.plan)}`,
    `  tool policy:  ${describePolicy(r.tools)}`,
    `  tools:        ${describeEffectiveTools(r.tools, r.plan)}`,
  ]
}

export default class InstanceToolsShow extends BaseCommand {
  static override summary = 'Show an instance’s tool policy and the tools a message may use under your plan.'
  static override examples = ['<%= config.bin %> instance tools show', '<%= config.bin %> instance tools show my-agent --json']
  static override args = {instance: instanceArg}

  async run(): Promise<InstanceToolsResult> {
    const {args, flags} = await this.parse(InstanceToolsShow)
    const {api, ref} = await instanceApi(this.factory(flags), args.instance)
    const instance = await api.instances.get({ref})
    const result = {instance: {id: instance.id, name: instance.name}, tools: instance.tools, plan: instance.plan}
    for (const line of toolsLines(result)) this.say(line)
    return result
  }
}
