import {randomBytes} from 'node:crypto'
import type {FastifyReply, FastifyRequest} from 'fastify'
import {hashToken} from '../../crypto/tokens.js'
import type {ServerContext} from '../context.js'
import {COOKIE_OPTIONS, SESSION_COOKIE} from './cookies.js'

/**
 * Browser sessions for the sign-in and device pages. The cookie carries a random id; the store
 * keeps its HMAC, so a database leak yields no usable session.
 */
export const SESSION_TTL_MS = 7 * 86_400_000

export interface WebSession {
  userId: string
  email: string
  /** The stored hash: what CSRF tokens for this session are bound to. */
  idHash: string
}

export async function startSession(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply, userId: string): Promise<void> {
  const id = randomBytes(32).toString('base64url')
  const now = ctx.clock.now()
  await ctx.db.asUser(userId, (q) =>
    q.query(`INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at, user_agent, client_ip) VALUES ($1, $2, $3, $4, $5, $6)`, [
      hashToken(ctx.secrets.tokenPepper, id),
      userId,
      new Date(now),
      new Date(now + SESSION_TTL_MS),
      req.headers['user-agent']?.slice(0, 300) ?? null,
      req.ip ?? null,
    ]),
  )
  reply.setCookie(SESSION_COOKIE, id, {...COOKIE_OPTIONS, maxAge: SESSION_TTL_MS / 1000})
}

/** The signed-in user, or null. Looked up by hash as the system: the user is not known before. */
export async function currentSession(ctx: ServerContext, req: FastifyRequest): Promise<WebSession | null> {
  const id = req.cookies[SESSION_COOKIE]
  if (!id || id.length > 100) return null
  const idHash = hashToken(ctx.secrets.tokenPepper, id)
  const [row] = await ctx.db.asSystem((q) =>
    q.query<{user_id: string; email: string}>(
      `SELECT s.user_id, u.email FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2`,
      [idHash, new Date(ctx.clock.now())],
    ),
  )
  return row ? {userId: row.user_id, email: row.email, idHash} : null
}

export async function endSession(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply, session: WebSession | null): Promise<void> {
  if (session) await ctx.db.asUser(session.userId, (q) => q.query(`DELETE FROM web_sessions WHERE id_hash = $1`, [session.idHash]))
  reply.clearCookie(SESSION_COOKIE, COOKIE_OPTIONS)
}
