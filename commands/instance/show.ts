import {instanceArg} from '../../src/cli/kit/flags.js'
import type {Instance} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import type {CommandContext} from '../../src/cli/kit/context.js'
import {actOnInstance} from '../../src/cli/instances/run-state.js'

export default class InstanceShow extends BaseCommand {
  static override summary = 'Show an instance: state, activity, idle pause and removal dates, plan, tools, isolation.'
  static override args = {instance: instanceArg}

  async run(): Promise<Instance> {
    const {args, flags} = await this.parse(InstanceShow)
    return showInstance(this.context(flags), args.instance)
  }
}

/** What the command does, callable without oclif: the instance named, else the only one. */
export const showInstance = (ctx: CommandContext, named: string | undefined): Promise<Instance> => actOnInstance(ctx, named, 'get')
