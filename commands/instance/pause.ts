import {Args, Flags} from '@oclif/core'
import {type Instance, instanceSchema} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {describeInstance, instancePath, resolveInstanceRef, waitForState} from '../../src/cli/instances/instances.js'

export default class InstancePause extends BaseCommand {
  static override summary = 'Pause an instance (it resumes by itself when used).'
  static override args = {instance: Args.string({description: 'Instance id or name (default: your only instance).'})}
  static override flags = {wait: Flags.boolean({summary: 'Wait until it is paused.', default: false})}

  async run(): Promise<Instance> {
    const {args, flags} = await this.parse(InstancePause)
    const {client} = await this.factory(flags).apiClient()
    const ref = await resolveInstanceRef(client, args.instance)
    let instance = await client.post(`${instancePath(ref)}/pause`, {}, instanceSchema)
    if (flags.wait) instance = await waitForState(client, this.io, instance.id, 'paused')
    for (const line of describeInstance(instance)) this.say(line)
    return instance
  }
}
