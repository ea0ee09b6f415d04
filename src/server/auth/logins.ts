import type {ServerContext} from '../context.js'

/** Where the account is signed in: browsers (web sessions) and devices (live refresh tokens). */
export interface Logins {
  browsers: Array<{created_at: Date; expires_at: Date; user_agent: string | null; client_ip: string | null; current: boolean}>
  devices: Array<{client_id: string | null; created_at: Date; last_used_at: Date | null; expires_at: Date | null}>
}

export async function listLogins(ctx: ServerContext, userId: string, currentIdHash: string): Promise<Logins> {
  const now = new Date(ctx.clock.now())
  return ctx.db.asUser(userId, async (q) => {
    const browsers = await q.query<{id_hash: string; created_at: Date; expires_at: Date; user_agent: string | null; client_ip: string | null}>(
      `SELECT id_hash, created_at, expires_at, user_agent, client_ip FROM web_sessions WHERE expires_at > $1 ORDER BY created_at DESC`,
      [now],
    )
    // One live refresh token per device login (they rotate; spent ones have used_at set).
    const devices = await q.query<{client_id: string | null; created_at: Date; last_used_at: Date | null; expires_at: Date | null}>(
      `SELECT client_id, created_at, last_used_at, expires_at FROM tokens
        WHERE kind = 'rt' AND revoked_at IS NULL AND used_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
        ORDER BY created_at DESC`,
      [now],
    )
    return {browsers: browsers.map(({id_hash, ...b}) => ({...b, current: id_hash === currentIdHash})), devices}
  })
}

/**
 * Signs the account out everywhere: every device login (access and refresh tokens) is revoked and
 * every browser session ends, this one included. API tokens for CI are kept: they are listed and
 * revoked on their own.
 */
export async function signOutEverywhere(ctx: ServerContext, userId: string): Promise<{tokens: number; sessions: number}> {
  return ctx.db.asUser(userId, async (q) => {
    const tokens = await q.query(`UPDATE tokens SET revoked_at = $1 WHERE kind IN ('at', 'rt') AND revoked_at IS NULL RETURNING id`, [new Date(ctx.clock.now())])
    const sessions = await q.query(`DELETE FROM web_sessions RETURNING id_hash`)
    return {tokens: tokens.length, sessions: sessions.length}
  })
}
