import type {Instance} from '../../contract/instances.js'
import type {RouteBody} from '../../contract/routes/define.js'
import type {instancesApi} from '../../contract/routes/instances.js'
import type {CommandContext} from '../kit/context.js'
import {describeInstance} from './view.js'
import {waitForState} from './wait.js'

/** `clawd instance create [NAME]`, with `wait` until it runs. */
export async function createInstance({out, factory}: CommandContext, body: RouteBody<typeof instancesApi.create>, opts: {wait: boolean}): Promise<Instance> {
  const api = await factory.api()
  let instance = await api.instances.create({body})
  if (opts.wait) instance = await waitForState(api, out.io, instance.id, 'running')
  for (const line of describeInstance(instance)) out.say(line)
  return instance
}
