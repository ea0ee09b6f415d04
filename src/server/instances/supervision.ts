import type {InstanceState} from '../../contract/instances.js'
import type {InstanceExit} from '../../runtime/driver.js'
import type {EgressRecord} from '../../runtime/egress-proxy.js'
import {recordLifecycle} from '../access-log.js'
import type {ServerCore} from '../core.js'
import type {InstanceLifecycle} from './lifecycle.js'
import {transition} from './repo.js'

/**
 * Keeps the rows true to the processes when no request is looking: at start-up (reconcile) and
 * when an agent dies or its egress is refused (the driver's events, watched from construction on).
 */
export class InstanceSupervision {
  constructor(
    private readonly ctx: ServerCore,
    private readonly lifecycle: InstanceLifecycle,
  ) {
    lifecycle.driver.onExit((id, exit) => {
      if (!exit.expected) void this.onProcessExit(id, exit)
    })
    lifecycle.driver.onEgress((record) => {
      if (!record.allowed && record.status === 403) void recordEgressRefusal(ctx, record)
    })
  }

  /**
   * Start-up: nothing may stay in a transitional state, and no row may claim a process that is
   * not there. Running instances lost their process with the old server: they become paused and
   * resume on the next request.
   */
  async reconcile(): Promise<void> {
    const held = await this.lifecycle.held()
    const self = this.ctx.cluster?.registry.self ?? null
    // Storage whose row is gone (deleted while this replica was down, or moved away by a drain
    // that finished after a crash) is removed: its data key is gone or lives elsewhere.
    const known = new Set(
      (await this.ctx.db.asSystem((q) => q.query<{id: string}>(`SELECT id FROM instances WHERE id = ANY($1::text[]) AND (replica_id IS NULL OR replica_id = $2)`, [held, self]))).map((r) => r.id),
    )
    for (const id of held) if (!known.has(id) && this.ctx.cluster) await this.lifecycle.driver.destroy(id).catch(() => {})
    // The rows held here in a transitional state. And a create killed before its storage existed
    // holds nothing here, yet its row says creating: it is this replica's (or, alone, the
    // server's) to settle as failed, like any other.
    const rows = await this.ctx.db.asSystem((q) =>
      q.query<{id: string; user_id: string; name: string; state: InstanceState}>(
        `SELECT id, user_id, name, state FROM instances
          WHERE (state IN ('creating','running','pausing','resuming','deleting') AND id = ANY($1::text[]))
             OR (state = 'creating' AND NOT (id = ANY($1::text[])) AND (replica_id IS NULL OR replica_id = $2))`,
        [held, self],
      ),
    )
    for (const row of rows) {
      if (row.state === 'deleting') {
        await this.lifecycle.finishDelete(row.user_id, row.id, row.name, 'instance.deleted')
        continue
      }
      if (row.state === 'running' && (await this.lifecycle.driver.status(row.id)) === 'running') continue
      await this.lifecycle.driver.stop(row.id).catch(() => {})
      const to: InstanceState = row.state === 'creating' ? 'failed' : 'paused'
      const reason = row.state === 'creating' ? 'The server stopped while this instance was being created. Resume it to try again.' : null
      const record = {userId: row.user_id, event: 'instance.reconciled', detail: {from: row.state, to}}
      await this.ctx.db.asSystem((q) => transition(q, row.id, [row.state], to, {failureReason: reason, record}))
    }
  }

  /** A crash: the instance is failed with the reason, and its open streams end with a clear event. */
  private async onProcessExit(id: string, info: InstanceExit): Promise<void> {
    const reason = `The agent process exited unexpectedly (${info.signal ? `signal ${info.signal}` : `code ${info.code}`}). The next request restarts it.`
    await this.ctx.db
      .asSystem(async (q) => {
        const [row] = await q.query<{user_id: string}>(`SELECT user_id FROM instances WHERE id = $1`, [id])
        if (row) await transition(q, id, ['running'], 'failed', {failureReason: reason, record: {userId: row.user_id, event: 'instance.crashed', detail: {reason}}})
      })
      .catch((error) => this.ctx.log.error({err: {message: (error as Error).message}, instance: id}, 'could not record crash'))
    this.lifecycle.streams.abortAll(id, 'instance_unavailable')
  }
}

/**
 * A connection the egress policy refused goes into the owner's access log (`clawd logs`) as
 * `egress.refused` with HOST:PORT: the chat that caused it was answered 200 (its stream had
 * begun), so without this line the log would say all went well.
 */
async function recordEgressRefusal(ctx: ServerCore, record: EgressRecord): Promise<void> {
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
