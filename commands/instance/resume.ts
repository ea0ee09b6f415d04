import {Args, Flags} from '@oclif/core'
import type {Instance} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {resolveInstanceRef} from '../../src/cli/instances/ref.js'
import {describeInstance} from '../../src/cli/instances/view.js'
import {waitForState} from '../../src/cli/instances/wait.js'

export default class InstanceResume extends BaseCommand {
  static override summary = 'Resume a paused or failed instance.'
  static override args = {instance: Args.string({description: 'Instance id or name (default: your only instance).'})}
  static override flags = {wait: Flags.boolean({summary: 'Wait until it is running.', default: false})}

  async run(): Promise<Instance> {
    const {args, flags} = await this.parse(InstanceResume)
    const api = await this.factory(flags).api()
    let instance = await api.instances.resume({ref: await resolveInstanceRef(api, args.instance)})
    if (flags.wait) instance = await waitForState(api, this.io, instance.id, 'running')
    for (const line of describeInstance(instance)) this.say(line)
    return instance
  }
}
