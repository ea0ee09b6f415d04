import {agentApi} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {deleteKey, storedVersion} from './repo.js'

/**
 * Deletes a BYOK key at once, for DELETE /v1/instances/:ref/keys/:name and the console: the
 * instance drops it from memory and its vault first, then the row goes. 404 when there is none.
 */
export async function deleteInstanceKey(ctx: ServerContext, userId: string, instanceId: string, name: string): Promise<void> {
  const existed = await ctx.db.asUser(userId, (q) => storedVersion(q, instanceId, name))
  if (existed === undefined) throw ApiError.notFound('key', 'See the keys with `clawd keys list`.')
  const res = await ctx.instances.callAgent(userId, instanceId, agentApi.deleteKey, {params: {name}})
  if (res.status !== 200 && res.status !== 404) throw ApiError.unavailable('The instance could not remove the key.', 'Try again.')
  await ctx.db.asUser(userId, (q) => deleteKey(q, instanceId, name))
}
