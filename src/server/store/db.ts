/**
 * One interface over PostgreSQL through `pg`: the embedded cluster under the data dir, or an
 * external server, with the same SQL. Every request query goes through `asUser`, which runs inside a transaction as the
 * non-superuser role `clawd_app` with `app.user_id` set for that transaction only, so row-level
 * security applies even when a query forgets its WHERE clause. `asSystem` runs as the owner and is
 * reserved for what must see across users: token lookup before the user is known, the sweeper,
 * and operator commands.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

export interface Db extends Queryable {
  readonly kind: 'embedded' | 'postgres'
  /** A transaction under RLS as `userId`; `null` means no user, which must see nothing. */
  asUser<T>(userId: string | null, fn: (q: Queryable) => Promise<T>): Promise<T>
  /** A transaction as the table owner (no RLS). */
  asSystem<T>(fn: (q: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** The role request queries run as. It owns nothing and is not a superuser. */
export const APP_ROLE = 'clawd_app'

