import {Flags} from '@oclif/core'
import {instanceArg} from '../../src/cli/kit/flags.js'
import type {z} from 'zod'
import type {instanceEventsResponseSchema} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {instanceApi} from '../../src/cli/instances/ref.js'

export default class InstanceLogs extends BaseCommand {
  static override summary = 'Show an instance’s lifecycle events (created, paused, resumed, failed…).'
  static override args = {instance: instanceArg}
  static override flags = {limit: Flags.integer({summary: 'How many events, newest last.', default: 100, min: 1, max: 1000})}

  async run(): Promise<z.infer<typeof instanceEventsResponseSchema>> {
    const {args, flags} = await this.parse(InstanceLogs)
    const {api, ref} = await instanceApi(this.factory(flags), args.instance)
    const result = await api.instances.events({ref, query: {limit: flags.limit}})
    for (const e of result.events) {
      const detail = e.detail ? ' ' + Object.entries(e.detail).map(([k, v]) => `${k}=${String(v)}`).join(' ') : ''
      this.out.say(`${e.at}  ${e.event}${detail}`)
    }
    return result
  }
}
