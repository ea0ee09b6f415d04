import type {Queryable} from './store/db.js'

/**
 * Writes to the account's access log. Entries say what happened and to what, never with what:
 * no tokens, keys or message text reach `detail`, which holds only names, states and reasons.
 */
export async function recordLifecycle(
  q: Queryable,
  entry: {userId: string; instanceId: string | null; event: string; detail?: Record<string, string | number | boolean | null>},
): Promise<void> {
  await q.query(`INSERT INTO access_log (user_id, kind, instance_id, event, detail) VALUES ($1, 'lifecycle', $2, $3, $4)`, [
    entry.userId,
    entry.instanceId,
    entry.event,
    entry.detail ? JSON.stringify(entry.detail) : null,
  ])
}
