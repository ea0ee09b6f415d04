import {ApiError} from '../errors.js'
import {goneReason} from '../replicas/registry.js'
import type {InstanceRow} from './repo.js'

/** How long a client should wait before asking again for an instance whose replica is gone. */
export const UNAVAILABLE_RETRY_AFTER_S = 10

type Placed = Pick<InstanceRow, 'replica_id' | 'replica_silent_ms' | 'replica_stopped_at'>

/** Why the instance cannot be reached now (its replica is gone), or undefined. */
export function unreachableReason(row: Placed, goneAfterMs: number): string | undefined {
  if (!row.replica_id) return undefined
  const replica = row.replica_silent_ms === null ? undefined : {id: row.replica_id, silent_ms: row.replica_silent_ms, stopped_at: row.replica_stopped_at}
  return goneReason(replica, goneAfterMs)
}

export function instanceUnavailable(row: Pick<InstanceRow, 'name'>, reason: string): ApiError {
  return new ApiError(503, 'unavailable', 'Instance unavailable', {
    detail: `Instance "${row.name}" is unavailable: ${reason}.`,
    hint: 'It comes back when that API replica restarts, or when an operator drains it (`clawd server drain`). Try again in a minute.',
    headers: {'retry-after': String(UNAVAILABLE_RETRY_AFTER_S)},
  })
}
