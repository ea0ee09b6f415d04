import type {Instance} from '../../contract/instances.js'
import type {ServerConfig} from '../config.js'
import {type Plan, planAllows} from '../quotas/plans.js'
import {unreachableReason} from './placement.js'
import {type InstanceRow, toolPolicyOf} from './repo.js'
import {instanceTools} from './tool-policy.js'

/**
 * The contract's view of a row, with the dates the idle and retention rules imply, and what the
 * owner's plan and the instance's tool policy let a message do. An instance whose replica is gone
 * reads `unavailable` with the reason, whatever its row last said: its process and storage are out
 * of reach until that replica returns or is drained.
 */
export function instanceView(row: InstanceRow, config: ServerConfig, plan: Plan): Instance {
  const last = new Date(row.last_active_at).getTime()
  const gone = row.state === 'deleting' ? undefined : unreachableReason(row, config.replicas.goneAfterMs)
  return {
    id: row.id,
    name: row.name,
    state: gone ? 'unavailable' : row.state,
    failure_reason: gone ? `${gone[0]!.toUpperCase()}${gone.slice(1)}; it was ${row.state} then.` : row.failure_reason,
    replica: row.replica_id,
    model: row.model,
    created_at: new Date(row.created_at).toISOString(),
    last_active_at: new Date(last).toISOString(),
    pauses_at: row.state === 'running' && !gone ? new Date(last + config.instances.idleTimeoutMs).toISOString() : null,
    removes_at: new Date(last + config.instances.retentionMs).toISOString(),
    isolation: row.isolation,
    tools: instanceTools(plan, toolPolicyOf(row)),
    plan: planAllows(plan),
  }
}
