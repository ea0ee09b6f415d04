import type {Component, Incident, StatusResponse} from '../../contract/status.js'
import type {ServerContext} from '../context.js'
import {settleWithin} from '../settle-within.js'
import {listIncidents, RECENT_RESOLVED_MS} from './incidents.js'

const STORE_TIMEOUT_MS = 2000

/**
 * The service status as this API process sees it: itself (answering, or this would not be read),
 * the store (a query within a bound), the runtime (how instances are isolated here), and the
 * incidents. It never fails: a store that does not answer is reported, not thrown.
 */
export async function serviceStatus(ctx: ServerContext): Promise<StatusResponse> {
  const components: Component[] = [{name: 'api', status: 'operational'}]
  const listed = ctx.db.asUser(null, (q) => listIncidents(q, new Date(ctx.clock.now() - RECENT_RESOLVED_MS)))
  const answered = await settleWithin(listed, STORE_TIMEOUT_MS, undefined).catch(() => undefined)
  const incidents: Incident[] = answered ?? []
  if (answered) components.push({name: 'store', status: 'operational', detail: ctx.db.kind === 'embedded' ? 'embedded PostgreSQL' : 'PostgreSQL'})
  else components.push({name: 'store', status: 'down', detail: 'The database does not answer.'})
  const iso = ctx.instances.isolation
  components.push({
    name: 'runtime',
    status: 'operational',
    detail: iso.mode === 'bwrap' ? `instances isolated with bubblewrap (${iso.namespaces.join(', ')} namespaces)` : `instances run as separate processes without a sandbox${iso.note ? `: ${iso.note}` : ''}`,
  })
  const open = incidents.filter((i) => i.resolved_at === null)
  const down = components.some((c) => c.status === 'down') || open.some((i) => i.impact === 'critical')
  const degraded = open.length > 0 || components.some((c) => c.status !== 'operational')
  return {
    status: down ? 'outage' : degraded ? 'degraded' : 'operational',
    components,
    incidents,
    checked_at: new Date(ctx.clock.now()).toISOString(),
  }
}
