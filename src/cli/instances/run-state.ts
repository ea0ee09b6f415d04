import {Flags} from '@oclif/core'
import type {Instance} from '../../contract/instances.js'
import {BaseCommand} from '../kit/base-command.js'
import type {CommandContext} from '../kit/context.js'
import {instanceArg} from '../kit/flags.js'
import {instanceApi} from './ref.js'
import {describeInstance} from './view.js'
import {waitForState} from './wait.js'

/** Shows, pauses or resumes the instance named (else the only one); with `wait`, once it got there. */
export async function actOnInstance({out, factory}: CommandContext, named: string | undefined, action: 'get' | 'pause' | 'resume', wait = false): Promise<Instance> {
  const {api, ref} = await instanceApi(factory, named)
  let instance = await api.instances[action]({ref})
  if (wait && action !== 'get') instance = await waitForState(api, out.io, instance.id, action === 'pause' ? 'paused' : 'running')
  for (const line of describeInstance(instance)) out.say(line)
  return instance
}

/** `instance pause` and `instance resume`: the instance argument, and --wait until it got there. */
export function runStateCommand(action: 'pause' | 'resume', summary: string, waitSummary: string) {
  return class RunStateCommand extends BaseCommand {
    static override summary = summary
    static override args = {instance: instanceArg}
    static override flags = {wait: Flags.boolean({summary: waitSummary, default: false})}

    async run(): Promise<Instance> {
      const {args, flags} = await this.parse(RunStateCommand)
      return actOnInstance(this.context(flags), args.instance, action, flags.wait)
    }
  }
}
