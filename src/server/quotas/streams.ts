import {newId} from '../../ids.js'
import {ApiError} from '../errors.js'
import type {Db, Queryable} from '../store/db.js'

/**
 * Concurrent answer streams per user, counted in the database so the plan's limit holds across
 * every API replica. A slot is a row held while its stream is open; slots of a replica that is
 * gone (stopped, or silent past the bound) no longer count, since their streams died with it.
 */
export class StreamSlots {
  constructor(
    private readonly db: Db,
    private readonly replicaId: () => string,
    private readonly goneAfterMs: number,
  ) {}

  /** Takes a slot inside the caller's transaction (as the user); throws 429 at the limit. */
  async acquire(q: Queryable, userId: string, max: number): Promise<() => Promise<void>> {
    // One user's acquisitions are serialised, so two replicas cannot both take the last slot.
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('stream-slots:' || $1))`, [userId])
    const [row] = await q.query<{n: string}>(
      `SELECT count(*) AS n FROM stream_slots s
        WHERE s.user_id = $1
          AND (s.replica_id = $2 OR EXISTS (
                SELECT 1 FROM replicas r WHERE r.id = s.replica_id AND r.stopped_at IS NULL
                   AND r.heartbeat_at > now() - ($3::double precision * interval '1 millisecond')))`,
      [userId, this.replicaId(), this.goneAfterMs],
    )
    const n = Number(row?.n ?? 0)
    if (n >= max) {
      throw new ApiError(429, 'rate_limited', 'Too many streams', {
        detail: `You already have ${n} answers streaming, the most your plan allows at once.`,
        hint: 'Wait for one to finish, or stop it, then try again.',
        headers: {'retry-after': '5'},
      })
    }
    const id = newId('slot')
    await q.query(`INSERT INTO stream_slots (id, user_id, replica_id) VALUES ($1, $2, $3)`, [id, userId, this.replicaId()])
    let released = false
    return async () => {
      if (released) return
      released = true
      await this.db.asUser(userId, (tx) => tx.query(`DELETE FROM stream_slots WHERE id = $1`, [id])).catch(() => {})
    }
  }
}
