import {Args, Flags} from '@oclif/core'
import {type Instance, instanceSchema} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {describeInstance, waitForState} from '../../src/cli/instances/instances.js'
import {TOOL_PROFILES} from '../../src/contract/tool-policy.js'

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
    const {client} = await this.factory(flags).apiClient()
    const body = {
      ...(args.name ? {name: args.name} : {}),
      ...(flags.model ? {model: flags.model} : {}),
      ...(flags.tools ? {tools: flags.tools} : {}),
    }
    let instance = await client.post('/v1/instances', body, instanceSchema)
    if (flags.wait) instance = await waitForState(client, this.io, instance.id, 'running')
    for (const line of describeInstance(instance)) this.say(line)
    return instance
  }
}
