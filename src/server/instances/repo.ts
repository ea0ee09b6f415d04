import {keysetPage, PAGE_KEY, pageOf} from '../store/keyset.js'
import {instanceRefSchema, type InstanceState, type Isolation} from '../../contract/instances.js'
import {type ToolPolicy, toolPolicySchema} from '../../contract/tool-policy.js'
import {recordLifecycle} from '../access-log.js'
import type {Queryable} from '../store/db.js'

/** An instances row as the server sees it (the wrapped data key never leaves the server). */
export interface InstanceRow {
  id: string
  user_id: string
  name: string
  state: InstanceState
  failure_reason: string | null
  model: string
  wrapped_data_key: string | null
  isolation: Isolation | null
  public_key: string | null
  kid: string | null
  /** As stored (jsonb); read it through `toolPolicyOf`. */
  tool_policy: unknown
  created_at: Date
  last_active_at: Date
  state_changed_at: Date
  /** The replica that runs it and the endpoint that reaches it; null before replicas existed. */
  replica_id: string | null
  endpoint: string | null
  /** Its replica's liveness on the database clock (null: no such replica row). */
  replica_silent_ms: number | null
  replica_stopped_at: Date | null
}

const COLUMNS = `id, user_id, name, state, failure_reason, model, wrapped_data_key, isolation, public_key, kid, tool_policy,
  created_at, last_active_at, state_changed_at, replica_id, endpoint,
  (SELECT (extract(epoch FROM (now() - r.heartbeat_at)) * 1000)::float8 FROM replicas r WHERE r.id = instances.replica_id) AS replica_silent_ms,
  (SELECT r.stopped_at FROM replicas r WHERE r.id = instances.replica_id) AS replica_stopped_at`

/**
 * Finds by id or by name; RLS (asUser) makes another user's instance simply not exist. A ref that
 * is neither shape names nothing and never reaches the store (a NUL byte would make it fail).
 */
export async function findInstance(q: Queryable, ref: string): Promise<InstanceRow | undefined> {
  if (!instanceRefSchema.safeParse(ref).success) return undefined
  const column = ref.startsWith('ins_') ? 'id' : 'name'
  const [row] = await q.query<InstanceRow>(`SELECT ${COLUMNS} FROM instances WHERE ${column} = $1`, [ref])
  return row
}

export async function getInstance(q: Queryable, id: string): Promise<InstanceRow | undefined> {
  const [row] = await q.query<InstanceRow>(`SELECT ${COLUMNS} FROM instances WHERE id = $1`, [id])
  return row
}

export async function listInstances(q: Queryable): Promise<InstanceRow[]> {
  return q.query<InstanceRow>(`SELECT ${COLUMNS} FROM instances ORDER BY created_at, id`)
}

/** One page of the user's instances, oldest first (see store/keyset.ts). */
export async function listInstancesPage(q: Queryable, page: {limit: number; cursor?: string}): Promise<{rows: InstanceRow[]; next: string | null}> {
  const k = keysetPage({order: 'asc', limit: page.limit, cursor: page.cursor, firstParam: 1})
  const rows = await q.query<InstanceRow & {page_key: string}>(
    `SELECT ${COLUMNS}, ${PAGE_KEY}::text AS page_key FROM instances WHERE ${k.where} ORDER BY ${k.order} LIMIT ${k.fetch}`,
    k.params,
  )
  return pageOf(rows, page.limit)
}

export async function countInstances(q: Queryable, userId: string): Promise<{total: number; running: number}> {
  const [row] = await q.query<{total: string; running: string}>(
    `SELECT count(*) AS total,
            count(*) FILTER (WHERE state IN ('creating', 'running', 'resuming')) AS running
       FROM instances WHERE user_id = $1`,
    [userId],
  )
  return {total: Number(row?.total ?? 0), running: Number(row?.running ?? 0)}
}

export async function insertInstance(
  q: Queryable,
  row: {id: string; userId: string; name: string; model: string; wrappedDataKey: string; toolPolicy?: ToolPolicy; replicaId?: string | null; endpoint?: string | null},
): Promise<InstanceRow> {
  const [inserted] = await q.query<InstanceRow>(
    `INSERT INTO instances (id, user_id, name, state, model, wrapped_data_key, tool_policy, replica_id, endpoint)
     VALUES ($1, $2, $3, 'creating', $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [row.id, row.userId, row.name, row.model, row.wrappedDataKey, JSON.stringify(row.toolPolicy ?? NO_TOOLS), row.replicaId ?? null, row.endpoint ?? null],
  )
  return inserted!
}

/**
 * Moves an instance from one of `from` to `to` atomically: a conditional UPDATE, so two API
 * processes (or a request racing the sweeper) can never both make the same transition. `record`
 * goes in the owner's log only when this call made the move.
 */
export async function transition(
  q: Queryable,
  id: string,
  from: readonly InstanceState[],
  to: InstanceState,
  extra: {failureReason?: string | null; touch?: boolean; record?: Omit<Parameters<typeof recordLifecycle>[1], 'instanceId'>} = {},
): Promise<InstanceRow | undefined> {
  const [row] = await q.query<InstanceRow>(
    `UPDATE instances
        SET state = $3, state_changed_at = now(), failure_reason = $4,
            last_active_at = CASE WHEN $5 THEN now() ELSE last_active_at END
      WHERE id = $1 AND state = ANY($2::text[])
      RETURNING ${COLUMNS}`,
    [id, [...from], to, extra.failureReason ?? null, extra.touch ?? false],
  )
  if (row && extra.record) await recordLifecycle(q, {...extra.record, instanceId: id})
  return row
}

export async function setIsolationAndKey(q: Queryable, id: string, isolation: Isolation, key: {publicKey: string; kid: string} | null) {
  await q.query(
    `UPDATE instances SET isolation = $2, public_key = COALESCE($3, public_key), kid = COALESCE($4, kid) WHERE id = $1`,
    [id, JSON.stringify(isolation), key?.publicKey ?? null, key?.kid ?? null],
  )
}

/** Marks use, at most once per `minGapMs`, so a busy chat does not write on every request. */
export async function touchInstance(q: Queryable, id: string, minGapMs = 5000): Promise<void> {
  await q.query(
    `UPDATE instances SET last_active_at = now()
      WHERE id = $1 AND last_active_at < now() - ($2::double precision * interval '1 millisecond')`,
    [id, minGapMs],
  )
}

export async function setModel(q: Queryable, id: string, model: string): Promise<void> {
  await q.query(`UPDATE instances SET model = $2 WHERE id = $1`, [id, model])
}

export async function deleteInstanceRow(q: Queryable, id: string): Promise<void> {
  await q.query(`DELETE FROM instances WHERE id = $1`, [id])
}

export async function setToolPolicy(q: Queryable, id: string, policy: ToolPolicy): Promise<void> {
  await q.query(`UPDATE instances SET tool_policy = $2 WHERE id = $1`, [id, JSON.stringify(policy)])
}

const NO_TOOLS: ToolPolicy = {profile: 'minimal', allow: [], deny: []}

/**
 * The row's tool policy. A stored value this version cannot read (hand-edited, or written by a
 * newer server) grants no tools rather than failing the request: the safe reading.
 */
export function toolPolicyOf(row: Pick<InstanceRow, 'tool_policy'>): ToolPolicy {
  const raw = typeof row.tool_policy === 'string' ? safeJson(row.tool_policy) : row.tool_policy
  const parsed = toolPolicySchema.safeParse(raw)
  return parsed.success ? parsed.data : NO_TOOLS
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Records where an instance runs now (placement, or the end of a drain). */
export async function setPlacement(q: Queryable, id: string, replicaId: string, endpoint: string | null): Promise<void> {
  await q.query(`UPDATE instances SET replica_id = $2, endpoint = $3 WHERE id = $1`, [id, replicaId, endpoint])
}
