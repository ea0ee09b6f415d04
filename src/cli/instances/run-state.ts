import type {Instance} from '../../contract/instances.js'
import type {CommandContext} from '../kit/context.js'
import {instanceApi} from './ref.js'
import {describeInstance} from './view.js'
import {waitForState} from './wait.js'

/** Pauses or resumes the instance named (else the only one); with `wait`, until it gets there. */
export async function switchRunState({out, factory}: CommandContext, named: string | undefined, action: 'pause' | 'resume', wait: boolean): Promise<Instance> {
  const {api, ref} = await instanceApi(factory, named)
  let instance = await api.instances[action]({ref})
  if (wait) instance = await waitForState(api, out.io, instance.id, action === 'pause' ? 'paused' : 'running')
  for (const line of describeInstance(instance)) out.say(line)
  return instance
}
