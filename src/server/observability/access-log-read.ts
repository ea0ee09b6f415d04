import type {AccessLogEntry} from '../../contract/logs.js'
import type {Queryable} from '../store/db.js'

interface Row {
  id: string | number | bigint
  at: Date | string
  kind: 'request' | 'lifecycle'
  instance_id: string | null
  event: string | null
  token_id: string | null
  client: string | null
  ip: string | null
  method: string | null
  route: string | null
  status: number | null
  duration_ms: number | null
  detail: Record<string, unknown> | string | null
}

const COLUMNS = 'id, at, kind, instance_id, event, token_id, client, ip, method, route, status, duration_ms, detail'

/**
 * The user's own entries, oldest first. Runs under the user's RLS, so the WHERE on user_id is
 * belt and braces. With `afterId` it continues a follower; without, it is the newest `limit`.
 */
export async function readAccessLog(
  q: Queryable,
  filter: {since?: Date; instanceId?: string; afterId?: string; limit: number},
): Promise<AccessLogEntry[]> {
  const where = ['user_id = app_user_id()']
  const params: unknown[] = []
  const add = (sql: string, value: unknown) => {
    params.push(value)
    where.push(sql.replace('?', `$${params.length}`))
  }
  if (filter.since) add('at >= ?', filter.since)
  if (filter.instanceId) add('instance_id = ?', filter.instanceId)
  if (filter.afterId) add('id > ?::bigint', filter.afterId)
  params.push(filter.limit)
  const order = filter.afterId ? 'ASC' : 'DESC'
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM access_log WHERE ${where.join(' AND ')} ORDER BY id ${order} LIMIT $${params.length}`, params)
  if (!filter.afterId) rows.reverse()
  return rows.map(view)
}

/** All of the user's entries, oldest first: for `export --all`. */
export async function readWholeAccessLog(q: Queryable): Promise<AccessLogEntry[]> {
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM access_log WHERE user_id = app_user_id() ORDER BY at, id`)
  return rows.map(view)
}

function view(r: Row): AccessLogEntry {
  const detail = typeof r.detail === 'string' ? (JSON.parse(r.detail) as Record<string, unknown>) : r.detail
  return {
    id: String(r.id),
    at: new Date(r.at).toISOString(),
    kind: r.kind,
    instance_id: r.instance_id,
    event: r.event,
    token_id: r.token_id,
    client: r.client,
    ip: r.ip,
    method: r.method,
    route: r.route,
    status: r.status === null ? null : Number(r.status),
    duration_ms: r.duration_ms === null ? null : Number(r.duration_ms),
    detail: detail ?? null,
  }
}

const SWEEP_BATCH = 5000

/**
 * Deletes entries older than the retention window, in batches so a large backlog never holds one
 * long transaction. Runs as the system: it is the one reader that spans all accounts.
 */
export async function sweepAccessLog(q: Queryable, olderThan: Date): Promise<number> {
  let total = 0
  for (;;) {
    const rows = await q.query(
      `DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE at < $1 ORDER BY at LIMIT ${SWEEP_BATCH}) RETURNING id`,
      [olderThan],
    )
    total += rows.length
    if (rows.length < SWEEP_BATCH) return total
  }
}
