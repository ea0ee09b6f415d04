import type {EgressRecord} from '../../runtime/egress-proxy.js'
import {recordLifecycle} from '../access-log.js'
import type {ServerCore} from '../core.js'

/**
 * A connection the egress policy refused goes into the owner's access log (`clawd logs`) as
 * `egress.refused` with HOST:PORT: the chat that caused it was answered 200 (its stream had
 * begun), so without this line the log would say all went well.
 */
export async function recordEgressRefusal(ctx: ServerCore, record: EgressRecord): Promise<void> {
  try {
    await ctx.db.asSystem(async (q) => {
      const [row] = await q.query<{user_id: string}>(`SELECT user_id FROM instances WHERE id = $1`, [record.instanceId])
      if (!row) return
      await recordLifecycle(q, {
        userId: row.user_id,
        instanceId: record.instanceId,
        event: 'egress.refused',
        detail: {host: record.host, port: record.port, status: record.status, via: record.kind},
      })
    })
  } catch (error) {
    ctx.log.warn({instance: record.instanceId, err: {message: (error as Error).message}}, 'could not record an egress refusal')
  }
}
