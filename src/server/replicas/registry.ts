import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {newId} from '../../ids.js'
import type {Db, Queryable} from '../store/db.js'

/** A replica as the others see it, its liveness measured on the database clock. */
export interface ReplicaInfo {
  id: string
  internal_url: string | null
  /** Milliseconds since its last heartbeat, by the database's clock. */
  silent_ms: number
  stopped_at: Date | null
  draining: boolean
}

export const REPLICA_COLUMNS = `id, internal_url, stopped_at, draining,
  (extract(epoch FROM (now() - heartbeat_at)) * 1000)::float8 AS silent_ms`

/**
 * The replica's id is kept in its data dir, so a restarted replica is the same replica: its
 * instances' storage is there, and they come back with it.
 */
export function replicaIdFor(dataDir: string): string {
  const path = join(dataDir, 'replica-id')
  if (existsSync(path)) {
    const id = readFileSync(path, 'utf8').trim()
    if (/^rep_[a-z2-7]{20}$/.test(id)) return id
  }
  const id = newId('rep')
  writeFileSync(path, id + '\n', {mode: 0o600})
  return id
}

/** Why a replica counts as gone, or undefined while it beats. */
export function goneReason(replica: Pick<ReplicaInfo, 'id' | 'silent_ms' | 'stopped_at'> | undefined, goneAfterMs: number): string | undefined {
  if (!replica) return 'its replica is not registered'
  if (replica.stopped_at) return `its replica ${replica.id} stopped at ${new Date(replica.stopped_at).toISOString()}`
  if (replica.silent_ms > goneAfterMs) return `its replica ${replica.id} has not answered for ${Math.round(replica.silent_ms / 1000)} s`
  return undefined
}

/**
 * This replica's row: registered at start, a heartbeat every third of the bound, marked stopped
 * on a clean close. Placement picks among the replicas that beat.
 */
export class ReplicaRegistry {
  constructor(
    private readonly db: Db,
    readonly self: string,
    readonly goneAfterMs: number,
    readonly internalUrl: string | null,
  ) {}

  /** Registers (or re-registers after a restart) and adopts this replica's unplaced instances. */
  async register(held: readonly string[]): Promise<void> {
    await this.db.asSystem(async (q) => {
      await q.query(
        `INSERT INTO replicas (id, internal_url) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET internal_url = $2, started_at = now(), heartbeat_at = now(), stopped_at = NULL, draining = false`,
        [this.self, this.internalUrl],
      )
      // Stream slots held by this replica's previous life died with it.
      await q.query(`DELETE FROM stream_slots WHERE replica_id = $1`, [this.self])
      // Instances made before replicas existed, and the endpoint of ours if our address changed.
      await q.query(`UPDATE instances SET replica_id = $1 WHERE replica_id IS NULL AND id = ANY($2::text[])`, [this.self, [...held]])
      await q.query(`UPDATE instances SET endpoint = $2 WHERE replica_id = $1 AND endpoint IS DISTINCT FROM $2`, [this.self, this.internalUrl])
    })
  }

  async beat(): Promise<void> {
    await this.db.query(`UPDATE replicas SET heartbeat_at = now() WHERE id = $1 AND stopped_at IS NULL`, [this.self])
  }

  /** A clean stop (after the heartbeat's): others see this replica as stopped at once, not after the bound. */
  async stop(): Promise<void> {
    await this.db.query(`UPDATE replicas SET stopped_at = now() WHERE id = $1`, [this.self]).catch(() => {})
  }

  async setDraining(draining: boolean): Promise<void> {
    await this.db.query(`UPDATE replicas SET draining = $2 WHERE id = $1`, [this.self, draining])
  }

  async get(id: string, q: Queryable = this.db): Promise<ReplicaInfo | undefined> {
    const [row] = await q.query<ReplicaInfo>(`SELECT ${REPLICA_COLUMNS} FROM replicas WHERE id = $1`, [id])
    return row
  }

  /**
   * Where a new or moving instance goes: a live, reachable replica that is not draining, with the
   * fewest running instances (this one on a tie, so a lone server never forwards to itself).
   */
  async place(opts: {exclude?: string} = {}): Promise<ReplicaInfo | undefined> {
    const [row] = await this.db.asSystem((q) =>
      q.query<ReplicaInfo>(
        `SELECT ${REPLICA_COLUMNS} FROM replicas r
          WHERE stopped_at IS NULL AND NOT draining
            AND heartbeat_at > now() - ($1::double precision * interval '1 millisecond')
            AND (internal_url IS NOT NULL OR id = $2)
            AND id IS DISTINCT FROM $3
          ORDER BY (SELECT count(*) FROM instances i WHERE i.replica_id = r.id AND i.state IN ('creating', 'running', 'resuming')),
                   (id = $2) DESC, id
          LIMIT 1`,
        [this.goneAfterMs, this.self, opts.exclude ?? null],
      ),
    )
    return row
  }
}
