import {Args} from '@oclif/core'
import type {Instance} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {showInstance} from '../../src/cli/instances/show.js'

export default class InstanceShow extends BaseCommand {
  static override summary = 'Show an instance: state, activity, idle pause and removal dates, plan, tools, isolation.'
  static override args = {instance: Args.string({description: 'Instance id or name (default: your only instance).'})}

  async run(): Promise<Instance> {
    const {args, flags} = await this.parse(InstanceShow)
    return showInstance(this.context(flags), args.instance)
  }
}
