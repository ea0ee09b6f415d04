import type {Instance} from '../../contract/instances.js'
import type {ServerConfig} from '../config.js'
import type {InstanceRow} from './repo.js'

/** The contract's view of a row, with the dates the idle and retention rules imply. */
export function instanceView(row: InstanceRow, config: ServerConfig): Instance {
  const last = new Date(row.last_active_at).getTime()
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    failure_reason: row.failure_reason,
    model: row.model,
    created_at: new Date(row.created_at).toISOString(),
    last_active_at: new Date(last).toISOString(),
    pauses_at: row.state === 'running' ? new Date(last + config.instances.idleTimeoutMs).toISOString() : null,
    removes_at: new Date(last + config.instances.retentionMs).toISOString(),
    isolation: row.isolation,
  }
}
