import type {Instance} from '../../contract/instances.js'
import type {ServerConfig} from '../config.js'
import {type Plan, planAllows} from '../quotas/plans.js'
import {type InstanceRow, toolPolicyOf} from './repo.js'
import {instanceTools} from './tool-policy.js'

/**
 * The contract's view of a row, with the dates the idle and retention rules imply, and what the
 * owner's plan and the instance's tool policy let a message do.
 */
export function instanceView(row: InstanceRow, config: ServerConfig, plan: Plan): Instance {
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
    tools: instanceTools(plan, toolPolicyOf(row)),
    plan: planAllows(plan),
  }
}
