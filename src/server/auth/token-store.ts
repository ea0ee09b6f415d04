import type {TokenKind} from '../../contract/auth.js'
import {generateToken, hashToken} from '../../crypto/tokens.js'
import type {ServerContext} from '../context.js'
import type {Queryable} from '../store/db.js'
import {newId} from './ids.js'

/**
 * Issuing and revoking tokens. The clear token leaves this module once, in the return value of
 * the call that created it; the table holds only its HMAC.
 */
export interface TokenPair {
  accessToken: string
  refreshToken: string
  /** Seconds the access token lives. */
  expiresIn: number
}

interface InsertToken {
  userId: string
  kind: TokenKind
  name?: string | null
  clientId?: string | null
  familyId?: string | null
  parentId?: string | null
  createdAt: Date
  expiresAt: Date | null
}

export async function insertToken(q: Queryable, pepper: Buffer, t: InsertToken): Promise<{id: string; token: string}> {
  const token = generateToken(t.kind)
  const id = newId('tok')
  await q.query(
    `INSERT INTO tokens (id, user_id, kind, hash, name, client_id, family_id, parent_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, t.userId, t.kind, hashToken(pepper, token), t.name ?? null, t.clientId ?? null, t.familyId ?? null, t.parentId ?? null, t.createdAt, t.expiresAt],
  )
  return {id, token}
}

/** A fresh access + refresh token in one family (a new login, or a rotation of `parentId`). */
export async function issueTokenPair(
  ctx: ServerContext,
  q: Queryable,
  opts: {userId: string; clientId: string | null; familyId?: string; parentId?: string},
): Promise<TokenPair> {
  const now = ctx.clock.now()
  const familyId = opts.familyId ?? newId('fam')
  const base = {userId: opts.userId, clientId: opts.clientId, familyId, parentId: opts.parentId ?? null, createdAt: new Date(now)}
  const access = await insertToken(q, ctx.secrets.tokenPepper, {...base, kind: 'at', expiresAt: new Date(now + ctx.config.auth.accessTokenTtlMs)})
  const refresh = await insertToken(q, ctx.secrets.tokenPepper, {...base, kind: 'rt', expiresAt: new Date(now + ctx.config.auth.refreshTokenTtlMs)})
  return {accessToken: access.token, refreshToken: refresh.token, expiresIn: Math.max(1, Math.floor(ctx.config.auth.accessTokenTtlMs / 1000))}
}

/** Revokes every access and refresh token of a login. Returns how many were still live. */
export async function revokeFamily(q: Queryable, familyId: string, at: Date): Promise<number> {
  const rows = await q.query(`UPDATE tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL RETURNING id`, [familyId, at])
  return rows.length
}

export interface StoredToken {
  id: string
  user_id: string
  kind: TokenKind
  family_id: string | null
  client_id: string | null
  expires_at: Date | null
  revoked_at: Date | null
  used_at: Date | null
  last_used_at: Date | null
}

export async function findTokenByHash(q: Queryable, hash: string): Promise<StoredToken | null> {
  const [row] = await q.query<StoredToken>(
    `SELECT id, user_id, kind, family_id, client_id, expires_at, revoked_at, used_at, last_used_at FROM tokens WHERE hash = $1`,
    [hash],
  )
  return row ?? null
}
