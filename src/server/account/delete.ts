import type {DeleteAccountResponse} from '../../contract/account.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {listInstances} from '../instances/repo.js'
import {purgeDeletedRows} from '../store/purge.js'

/** Instances created by requests that were already past authentication when deletion began. */
const MAX_ROUNDS = 5

/**
 * Removes an account for good (`clawd account delete`):
 *
 * 1. every token is revoked first, so no new request starts while the rest goes;
 * 2. every instance is deleted the way `instance delete` does it: processes stopped, directory
 *    removed, then the row with the wrapped data key (crypto-shredding: a copy of the encrypted
 *    files from before is unreadable once that key is gone);
 * 3. the user row goes, in a transaction that holds the same lock instance creation takes and
 *    checks that no instance appeared meanwhile; every other row of the account (tokens, sign-in
 *    sessions, device logins, keys, access log) cascades with it;
 * 4. the rate-limit buckets named after the account go too;
 * 5. on the embedded database, the dead rows' bytes are purged from its files (src/server/store/purge.ts).
 *
 * What stays is not linked to the account: per-IP rate-limit buckets (pruned after a day), and the
 * server's own process logs, which are the operator's (see the README).
 */
export async function deleteAccount(ctx: ServerContext, userId: string, confirmEmail: string): Promise<DeleteAccountResponse> {
  const [user] = await ctx.db.asUser(userId, (q) => q.query<{email: string}>(`SELECT email FROM users WHERE id = $1`, [userId]))
  if (!user) throw ApiError.unauthenticated('The account for this token no longer exists.')
  if (user.email.toLowerCase() !== confirmEmail.trim().toLowerCase()) {
    throw ApiError.validation('confirm_email does not match this account’s email; nothing was deleted.', 'Send the email of the account you are signed in as.')
  }

  const revoked = await ctx.db.asUser(userId, (q) =>
    q.query<{id: string}>(`UPDATE tokens SET revoked_at = $1 WHERE revoked_at IS NULL RETURNING id`, [new Date(ctx.clock.now())]),
  )

  let instancesDeleted = 0
  for (let round = 0; ; round++) {
    const rows = await ctx.db.asUser(userId, (q) => listInstances(q))
    if (rows.length === 0) break
    if (round >= MAX_ROUNDS) throw ApiError.conflict('Instances keep appearing while the account is being deleted.', 'Run `clawd account delete` again.')
    for (const row of rows) {
      try {
        await ctx.instances.delete(userId, row.id)
        instancesDeleted++
      } catch (error) {
        // Deleted by a concurrent request or the sweeper: gone either way.
        if (!(error instanceof ApiError && error.status === 404)) throw error
      }
    }
  }

  await ctx.db.asUser(userId, async (q) => {
    await q.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [userId])
    const [left] = await q.query<{n: number}>(`SELECT count(*)::int AS n FROM instances`)
    if ((left?.n ?? 0) > 0) throw ApiError.conflict('An instance was created while the account was being deleted.', 'Run `clawd account delete` again.')
    await q.query(`DELETE FROM users WHERE id = $1`, [userId])
  })

  await ctx.db.asSystem((q) => q.query(`DELETE FROM rate_limit_buckets WHERE key = ANY($1::text[])`, [[`device-code:user:${userId}`]]))

  await purgeDeletedRows(ctx.db).catch((error: Error) => ctx.log.warn({err: {message: error.message}}, 'could not purge deleted rows from the database files'))
  ctx.log.info({event: 'account.deleted', instances: instancesDeleted}, 'account deleted')
  return {id: userId, deleted: true, instances_deleted: instancesDeleted, tokens_revoked: revoked.length}
}
