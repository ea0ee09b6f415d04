import type {FastifyBaseLogger} from 'fastify'
import type {Db, Queryable} from '../store/db.js'

/** One authenticated request, as the access log keeps it. Nothing here is a secret or message text. */
export interface RequestLogEntry {
  userId: string
  at: Date
  tokenId: string
  client: string | null
  ip: string | null
  method: string
  /** The route template (`/v1/instances/:ref`), never the raw URL with its ids and query. */
  route: string
  /** The instance id or name from the path, resolved to the id when the entry is written. */
  instanceRef: string | null
  status: number
  durationMs: number
  detail: Record<string, string | number | boolean> | null
}

const COLUMNS = 11
/** Rows per INSERT; each row has COLUMNS parameters, well under PostgreSQL's 65535. */
const MAX_BATCH = 500
/** Entries kept while the store is slow or down; beyond this the oldest are dropped (and counted). */
const MAX_QUEUE = 20_000

/**
 * Writes request entries off the request path: the response is already sent when an entry is
 * queued, and everything queued during one tick goes out in one INSERT, so logging costs one
 * statement per busy tick rather than one per request.
 *
 * It writes as the system because a batch holds many users' rows; each row's user comes from the
 * authenticated request, never from input. Rows of users deleted meanwhile are skipped (an account
 * deletion must not be followed by a new row of that account).
 */
export class AccessLogWriter {
  private queue: RequestLogEntry[] = []
  private running: Promise<void> | undefined
  private scheduled = false
  private dropped = 0
  private closed = false

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
  ) {}

  add(entry: RequestLogEntry): void {
    if (this.closed) return
    this.queue.push(entry)
    if (this.queue.length > MAX_QUEUE) {
      this.dropped += this.queue.length - MAX_QUEUE
      this.queue.splice(0, this.queue.length - MAX_QUEUE)
    }
    if (!this.scheduled && !this.running) {
      this.scheduled = true
      setImmediate(() => {
        this.scheduled = false
        void this.drain()
      })
    }
  }

  /** Resolves once everything queued before the call is written (or given up on). */
  async flush(): Promise<void> {
    while (this.running || this.queue.length > 0) await this.drain()
  }

  async close(): Promise<void> {
    await this.flush()
    this.closed = true
  }

  private drain(): Promise<void> {
    this.running ??= this.writeAll().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async writeAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH)
      try {
        await this.db.asSystem((q) => insertRequestEntries(q, batch))
      } catch (error) {
        // One bad row (say, a user deleted between the check and the insert) must not lose the others.
        let failed = 0
        for (const entry of batch) {
          await this.db.asSystem((q) => insertRequestEntries(q, [entry])).catch(() => failed++)
        }
        if (failed > 0) this.log.warn({err: {type: (error as Error).name, message: (error as Error).message}, entries: failed}, 'access log entries not written')
      }
    }
    if (this.dropped > 0) {
      this.log.warn({entries: this.dropped}, 'access log queue overflowed; oldest entries dropped')
      this.dropped = 0
    }
  }
}

/**
 * One INSERT for many entries. The instance reference from the path is resolved to the user's
 * instance id in the same statement; a reference that names nothing of theirs is kept only when it
 * has the shape of an id (a deleted instance), never as free text.
 */
export async function insertRequestEntries(q: Queryable, entries: RequestLogEntry[]): Promise<void> {
  if (entries.length === 0) return
  const params: unknown[] = []
  const rows = entries.map((e, i) => {
    params.push(e.userId, e.at, e.tokenId, e.client, e.ip, e.method, e.route, e.instanceRef, e.status, e.durationMs, e.detail ? JSON.stringify(e.detail) : null)
    const p = (n: number) => `$${i * COLUMNS + n}`
    return `(${p(1)}::text, ${p(2)}::timestamptz, ${p(3)}::text, ${p(4)}::text, ${p(5)}::text, ${p(6)}::text, ${p(7)}::text, ${p(8)}::text, ${p(9)}::int, ${p(10)}::int, ${p(11)}::jsonb)`
  })
  await q.query(
    `INSERT INTO access_log (user_id, at, kind, token_id, client, ip, method, route, instance_id, status, duration_ms, detail)
     SELECT v.user_id, v.at, 'request', v.token_id, v.client, v.ip, v.method, v.route,
            coalesce((SELECT i.id FROM instances i WHERE i.user_id = v.user_id AND (i.id = v.ref OR i.name = v.ref) LIMIT 1),
                     CASE WHEN v.ref ~ '^ins_[a-z2-7]{20}$' THEN v.ref END),
            v.status, v.duration_ms, v.detail
       FROM (VALUES ${rows.join(', ')}) AS v(user_id, at, token_id, client, ip, method, route, ref, status, duration_ms, detail)
      WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = v.user_id)`,
    params,
  )
}
