import type {DrainResponse} from '../../contract/replicas.js'
import type {InstanceState} from '../../contract/instances.js'
import {recordLifecycle} from '../access-log.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {setPlacement, transition} from '../instances/repo.js'
import {internalPaths} from './client.js'

const MOVABLE: readonly InstanceState[] = ['running', 'paused', 'failed']

/**
 * Moves every instance off this replica (`clawd server drain`, `--drain-on-exit`). The replica
 * stops taking placements first; then each instance in turn is paused, its storage (ciphertext
 * under its data key) copied to the live replica with the fewest running instances through that
 * replica's internal listener, its placement recorded, and it is resumed there if it was running.
 * A request for it meanwhile waits (the row is `pausing`) and then reaches it at its new place.
 * A move that fails leaves the instance here as it was.
 */
export async function drainReplica(ctx: ServerContext): Promise<DrainResponse> {
  const cluster = ctx.cluster
  if (!cluster) throw ApiError.conflict('No server runs on this data dir: there is nothing to drain.', 'Start it with `clawd server start`, then drain.', 'wrong_state')
  const {registry} = cluster
  const [held] = await ctx.db.query<{n: string}>(`SELECT count(*) AS n FROM instances WHERE replica_id = $1 AND state <> 'deleting'`, [registry.self])
  const n = Number(held?.n ?? 0)
  // Refused before anything changes: with nowhere to go, a drain would only stop new placements here.
  if (n > 0 && !(await registry.place({exclude: registry.self}))?.internal_url) {
    throw ApiError.conflict(
      `No other live replica with an internal listener can take this replica's ${n} instance(s).`,
      'Start another replica on the same database with --internal-port (and the same master key), then drain again.',
      'wrong_state',
    )
  }
  await registry.setDraining(true)
  const result: DrainResponse = {replica: registry.self, moved: [], failed: []}
  for (;;) {
    const rows = await ctx.db.asSystem((q) =>
      q.query<{id: string; name: string}>(
        `SELECT id, name FROM instances WHERE replica_id = $1 AND state <> 'deleting' AND NOT (id = ANY($2::text[])) ORDER BY created_at LIMIT 20`,
        [registry.self, result.failed.map((f) => f.id)],
      ),
    )
    if (rows.length === 0) break
    for (const row of rows) {
      try {
        result.moved.push(await moveInstance(ctx, row.id))
      } catch (error) {
        result.failed.push({id: row.id, name: row.name, reason: (error as Error).message})
        ctx.log.warn({instance: row.id, err: {message: (error as Error).message}}, 'drain: instance not moved')
      }
    }
  }
  return result
}

export async function moveInstance(ctx: ServerContext, id: string): Promise<DrainResponse['moved'][number]> {
  const {registry, client} = ctx.cluster!
  const manager = ctx.instances
  const began = Date.now()
  await manager.work.settle(id)
  const row = await manager.getById(id)
  if (!row || row.replica_id !== registry.self) throw new Error('it is not on this replica')
  if (!MOVABLE.includes(row.state)) throw new Error(`it is ${row.state}`)
  const target = await registry.place({exclude: registry.self})
  if (!target?.internal_url) throw new Error('no other live replica with an internal listener can take it')

  // Claim it: `pausing` makes every replica's requests wait, and no sweep or resume touches it.
  const claimed = await ctx.db.asSystem((q) => transition(q, id, [row.state], 'pausing', {failureReason: row.failure_reason}))
  if (!claimed) throw new Error('it changed state meanwhile; drain again')
  const wasRunning = row.state === 'running'
  let bytes = 0
  try {
    manager.streams.abortAll(id, 'instance_unavailable')
    await manager.driver.stop(id)
    const storage = await manager.driver.exportStorage(id)
    bytes = storage.length
    const res = await client.call(target, 'PUT', internalPaths.op(id, 'storage'), storage, {timeoutMs: 10 * 60_000})
    if (res.status !== 200) throw new Error(`replica ${target.id} refused the storage (${res.status})`)
    await ctx.db.asSystem(async (q) => {
      await setPlacement(q, id, target.id, target.internal_url)
      await transition(q, id, ['pausing'], 'paused', {failureReason: wasRunning ? null : row.failure_reason})
      await recordLifecycle(q, {userId: row.user_id, instanceId: id, event: 'instance.moved', detail: {from: registry.self, to: target.id}})
    })
  } catch (error) {
    // Nothing moved: it stays here, as it was (a running one resumes on its next request).
    await ctx.db.asSystem((q) => transition(q, id, ['pausing'], row.state === 'failed' ? 'failed' : 'paused', {failureReason: row.failure_reason}))
    throw error
  }
  // The new place has it: the copy here is no longer anyone's.
  await manager.forgetLocalStorage(id)
  if (wasRunning) {
    await manager.resume(row.user_id, id)
    await manager.work.settle(id)
  }
  return {id, name: row.name, to: target.id, was: row.state, bytes, ms: Date.now() - began}
}
