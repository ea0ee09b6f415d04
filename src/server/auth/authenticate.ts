import type {FastifyRequest} from 'fastify'
import {hashToken, parseToken} from '../../crypto/tokens.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {findTokenByHash} from './token-store.js'

/** Who a /v1 request acts for, set by `requireAuth`. */
export interface AuthContext {
  userId: string
  tokenId: string
  /** 'web': a signed-in browser on the console (browser-auth.ts). */
  tokenKind: 'at' | 'pat' | 'web'
  expiresAt: Date | null
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext
  }
}

// last_used_at is for people ("used 3 days ago"), so minute precision spares a write per request.
const LAST_USED_PRECISION_MS = 60_000

function unauthenticated(detail: string, hint?: string, code: 'unauthenticated' | 'token_expired' = 'unauthenticated'): ApiError {
  // RFC 6750 §3: say which scheme is expected, and that this token is the problem when there was one.
  const challenge = code === 'token_expired' ? 'Bearer error="invalid_token", error_description="The access token expired"' : 'Bearer'
  const title = code === 'token_expired' ? 'Token expired' : 'Unauthenticated'
  return new ApiError(401, code, title, {detail, hint: hint ?? 'Log in again with `clawd login`.', headers: {'www-authenticate': challenge}})
}

function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization
  if (!header) return null
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return m ? m[1]! : null
}

/**
 * A preHandler for /v1 routes: checks the bearer token and sets `req.auth`, or throws a 401.
 * The lookup by hash is the one query that must run as the system (the user is not known yet);
 * everything the route does afterwards runs as that user.
 */
export function requireAuth(ctx: ServerContext): (req: FastifyRequest) => Promise<void> {
  return async (req) => {
    const presented = bearerToken(req)
    if (!presented) throw unauthenticated('This request needs a bearer token.', 'Log in with `clawd login`, or set CLAWD_TOKEN.')
    const parsed = parseToken(presented)
    if (!parsed) throw unauthenticated('The token is not a clawd token (wrong format or checksum).', 'Check for a copy/paste error, or log in again with `clawd login`.')
    if (parsed.kind === 'rt') throw unauthenticated('A refresh token cannot be used as a bearer token.', 'Exchange it at the token endpoint for an access token.')
    const stored = await ctx.db.asSystem((q) => findTokenByHash(q, hashToken(ctx.secrets.tokenPepper, parsed.token)))
    if (!stored || stored.kind !== parsed.kind || stored.revoked_at) throw unauthenticated('The token is unknown or has been revoked.')
    const now = ctx.clock.now()
    if (stored.expires_at && new Date(stored.expires_at).getTime() <= now) {
      if (stored.kind === 'at') throw unauthenticated('The access token has expired.', 'Refresh it with the refresh token, or log in again.', 'token_expired')
      throw unauthenticated('The API token has expired.', 'Create a new one with `clawd tokens create`.')
    }
    if (!stored.last_used_at || now - new Date(stored.last_used_at).getTime() >= LAST_USED_PRECISION_MS) {
      await ctx.db.asUser(stored.user_id, (q) => q.query(`UPDATE tokens SET last_used_at = $2 WHERE id = $1`, [stored.id, new Date(now)]))
    }
    req.auth = {userId: stored.user_id, tokenId: stored.id, tokenKind: stored.kind as 'at' | 'pat', expiresAt: stored.expires_at ? new Date(stored.expires_at) : null}
  }
}
