import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {findInstance, type InstanceRow} from './repo.js'

/**
 * The user's instance by id or name, under RLS: another user's, or a ref of the wrong shape, is
 * simply not found (404, never 403). The hint says where the user sees their instances.
 */
export async function ownedInstance(ctx: ServerContext, userId: string, ref: string, hint = 'See your instances with `clawd instance list`.'): Promise<InstanceRow> {
  const row = await ctx.db.asUser(userId, (q) => findInstance(q, ref))
  if (!row) throw ApiError.notFound('instance', hint)
  return row
}
