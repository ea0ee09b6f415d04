import {Flags} from '@oclif/core'
import type {Instance} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {instanceArg} from '../../src/cli/kit/flags.js'
import {actOnInstance} from '../../src/cli/instances/run-state.js'

export default class InstanceResume extends BaseCommand {
  static override summary = 'Resume a paused or failed instance.'
  static override args = {instance: instanceArg}
  static override flags = {wait: Flags.boolean({summary: 'Wait until it is running.', default: false})}

  async run(): Promise<Instance> {
    const {args, flags} = await this.parse(InstanceResume)
    return actOnInstance(this.context(flags), args.instance, 'resume', flags.wait)
  }
}
