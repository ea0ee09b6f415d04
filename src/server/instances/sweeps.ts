import type {InstanceState} from '../../contract/instances.js'
import type {ServerCore} from '../core.js'
import type {Job} from '../job-runner.js'
import type {InstanceLifecycle} from './lifecycle.js'
import {transition} from './repo.js'

/**
 * Pauses idle instances and removes abandoned ones, every sweep interval (the job below). Each
 * replica sweeps the instances it holds. Each run is bounded (the queries take at most 50 rows)
 * and errors are logged, never fatal: the next run retries.
 */
export class InstanceSweeps {
  constructor(
    private readonly ctx: ServerCore,
    private readonly lifecycle: InstanceLifecycle,
  ) {}

  /** Started by `startServer` for every server (tests included), stopped when it closes. */
  job(): Job {
    return {
      name: 'instance-sweep',
      periodMs: this.ctx.config.instances.sweepIntervalMs,
      scope: 'replica',
      failure: 'instance sweep failed',
      failureLevel: 'error',
      run: async () => {
        await this.removeAbandoned()
        await this.pauseIdle()
      },
    }
  }

  /** Pauses instances idle past the timeout; SKIP LOCKED keeps several API processes from colliding. */
  async pauseIdle(): Promise<number> {
    const busy = this.lifecycle.streams.activeInstanceIds()
    const held = await this.lifecycle.held()
    const claimed = await this.ctx.db.asSystem(async (q) => {
      const rows = await q.query<{id: string; user_id: string}>(
        `SELECT id, user_id FROM instances
          WHERE state = 'running'
            AND last_active_at < now() - ($1::double precision * interval '1 millisecond')
            AND NOT (id = ANY($2::text[]))
            AND id = ANY($3::text[])
          ORDER BY last_active_at LIMIT 50
          FOR UPDATE SKIP LOCKED`,
        [this.ctx.config.instances.idleTimeoutMs, busy, held],
      )
      for (const r of rows) await transition(q, r.id, ['running'], 'pausing')
      return rows
    })
    for (const r of claimed) this.lifecycle.work.track(r.id, this.lifecycle.stopProcess(r.user_id, r.id, 'instance.paused', {reason: 'idle'}))
    return claimed.length
  }

  /** Deletes instances nobody used for the retention period, for good. */
  async removeAbandoned(): Promise<number> {
    const held = await this.lifecycle.held()
    const claimed = await this.ctx.db.asSystem(async (q) => {
      const rows = await q.query<{id: string; user_id: string; name: string; state: InstanceState}>(
        `SELECT id, user_id, name, state FROM instances
          WHERE state <> 'deleting'
            AND last_active_at < now() - ($1::double precision * interval '1 millisecond')
            AND id = ANY($2::text[])
          ORDER BY last_active_at LIMIT 50
          FOR UPDATE SKIP LOCKED`,
        [this.ctx.config.instances.retentionMs, held],
      )
      for (const r of rows) await transition(q, r.id, [r.state], 'deleting')
      return rows
    })
    for (const r of claimed) {
      this.lifecycle.streams.abortAll(r.id, 'instance_deleted')
      await this.lifecycle.finishDelete(r.user_id, r.id, r.name, 'instance.removed_inactive')
    }
    return claimed.length
  }
}
