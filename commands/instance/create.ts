import {Args, Flags} from '@oclif/core'
import type {Instance} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {createInstance} from '../../src/cli/instances/create.js'
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
