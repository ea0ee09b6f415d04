import {Flags} from '@oclif/core'
import type {Instance} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {instanceArg} from '../../src/cli/kit/flags.js'
import {actOnInstance} from '../../src/cli/instances/run-state.js'

export default class InstancePause extends BaseCommand {
  static override summary = 'Pause an instance (it resumes by itself when used).'
  static override args = {instance: instanceArg}
  static override flags = {wait: Flags.boolean({summary: 'Wait until it is paused.', default: false})}

  async run(): Promise<Instance> {
    const {args, flags} = await this.parse(InstancePause)
    return actOnInstance(this.context(flags), args.instance, 'pause', flags.wait)
  }
}
