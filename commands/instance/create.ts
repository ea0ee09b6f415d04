import {Args, Flags} from '@oclif/core'
import type {Instance} from '../../src/contract/instances.js'
import type {RouteBody} from '../../src/contract/routes/define.js'
import type {instancesApi} from '../../src/contract/routes/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import type {CommandContext} from '../../src/cli/kit/context.js'
import {describeInstance} from '../../src/cli/instances/view.js'
import {waitForState} from '../../src/cli/instances/wait.js'
import {TOOL_PROFILES, type ToolProfile} from '../../src/contract/tool-policy.js'

export default class InstanceCreate extends BaseCommand {
  static override summary = 'Create a dedicated, isolated agent instance.'
  static override examples = [
    '<%= config.bin %> instance create',
    '<%= config.bin %> instance create my-agent --wait --json',
    '<%= config.bin %> instance create coder --tools coding',
  ]
  static override args = {name: Args.string({description: 'Name (lowercase letters, digits, hyphens); generated when omitted.'})}
  static override flags = {
    wait: Flags.boolean({summary: 'Wait until it is running.', default: false}),
    model: Flags.string({summary: 'Default model, as provider/model.', env: 'CLAWD_MODEL'}),
    tools: Flags.string({
      summary: 'Tool profile: coding (all tools) or minimal (none). Default: coding on the dedicated plan, minimal on free.',
      options: [...TOOL_PROFILES],
    }),
  }

  async run(): Promise<Instance> {
    const {args, flags} = await this.parse(InstanceCreate)
    const body = {
      ...(args.name ? {name: args.name} : {}),
      ...(flags.model ? {model: flags.model} : {}),
      ...(flags.tools ? {tools: flags.tools as ToolProfile} : {}),
    }
    return createInstance(this.context(flags), body, {wait: flags.wait})
  }
}

/** What the command does, callable without oclif; with `wait`, until the instance runs. */
export async function createInstance({out, factory}: CommandContext, body: RouteBody<typeof instancesApi.create>, opts: {wait: boolean}): Promise<Instance> {
  const api = await factory.api()
  let instance = await api.instances.create({body})
  if (opts.wait) instance = await waitForState(api, out.io, instance.id, 'running')
  for (const line of describeInstance(instance)) out.say(line)
  return instance
}
