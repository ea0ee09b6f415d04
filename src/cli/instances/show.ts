import type {Instance} from '../../contract/instances.js'
import type {CommandContext} from '../kit/context.js'
import {resolveInstanceRef} from './ref.js'
import {describeInstance} from './view.js'

/** `clawd instance show [INSTANCE]`: the one named, else the only one. */
export async function showInstance({out, factory}: CommandContext, named: string | undefined): Promise<Instance> {
  const api = await factory.api()
  const instance = await api.instances.get({ref: await resolveInstanceRef(api, named)})
  for (const line of describeInstance(instance)) out.say(line)
  return instance
}
