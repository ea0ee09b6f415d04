import {Args} from '@oclif/core'
import {type Instance, instanceSchema} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {describeInstance, instancePath, resolveInstanceRef} from '../../src/cli/instances/instances.js'

export default class InstanceShow extends BaseCommand {
  static override summary = 'Show an instance: state, activity, idle pause and removal dates, plan, tools, isolation.'
  static override args = {instance: Args.string({description: 'Instance id or name (default: your only instance).'})}

  async run(): Promise<Instance> {
    const {args, flags} = await this.parse(InstanceShow)
    const {client} = await this.factory(flags).apiClient()
    const ref = await resolveInstanceRef(client, args.instance)
    const instance = await client.get(instancePath(ref), instanceSchema)
    for (const line of describeInstance(instance)) this.say(line)
    return instance
  }
}
