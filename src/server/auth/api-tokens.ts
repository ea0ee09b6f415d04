import {MAX_PAGE} from '../../contract/paging.js'
import {keysetPage, PAGE_KEY, pageOf} from '../store/keyset.js'
import type {z} from 'zod'
import type {ApiToken, CreateTokenResponse, createTokenRequestSchema} from '../../contract/auth.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {insertToken} from './token-store.js'
import {iso} from '../iso.js'

/**
 * Personal API tokens (`clawd tokens …` and the console's account page). Everything runs as the
 * user, so under RLS another user's token is simply not there: 404, never 403.
 */

/** Live API tokens one account may hold; more is a leak or a runaway script. */
export const MAX_API_TOKENS = 100

/** Token ids as src/server/auth/ids.ts makes them; anything else names no token. */
const TOKEN_ID = /^tok_[0-9A-Za-z]{20}$/

interface TokenRow {
  id: string
  name: string
  created_at: Date
  expires_at: Date | null
  last_used_at: Date | null
}
const apiToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  created_at: iso(r.created_at),
  expires_at: iso(r.expires_at),
  last_used_at: iso(r.last_used_at),
})

/** A new token; its value is in this answer only. */
export async function createApiToken(ctx: ServerContext, userId: string, body: z.infer<typeof createTokenRequestSchema>): Promise<CreateTokenResponse> {
  const now = ctx.clock.now()
  const expiresAt = body.expires_in_days ? new Date(now + body.expires_in_days * 86_400_000) : null
  const created = await ctx.db.asUser(userId, async (q) => {
    const [count] = await q.query<{n: number}>(`SELECT count(*)::int AS n FROM tokens WHERE kind = 'pat' AND revoked_at IS NULL`)
    if ((count?.n ?? 0) >= MAX_API_TOKENS) {
      throw new ApiError(403, 'quota_exceeded', 'Too many API tokens', {
        detail: `An account can hold at most ${MAX_API_TOKENS} API tokens.`,
        hint: 'Revoke unused ones with `clawd tokens revoke ID`.',
      })
    }
    return insertToken(q, ctx.secrets.tokenPepper, {userId, kind: 'pat', name: body.name, createdAt: new Date(now), expiresAt})
  })
  return {...apiToken({id: created.id, name: body.name, created_at: new Date(now), expires_at: expiresAt, last_used_at: null}), token: created.token}
}

/** The user's live API tokens, newest first, a page at a time (see store/keyset.ts). */
export async function listApiTokens(ctx: ServerContext, userId: string, page: {limit: number; cursor?: string} = {limit: MAX_PAGE}): Promise<{tokens: ApiToken[]; next_cursor: string | null}> {
  const k = keysetPage({order: 'desc', limit: page.limit, cursor: page.cursor, firstParam: 1})
  const rows = await ctx.db.asUser(userId, (q) =>
    q.query<TokenRow & {page_key: string}>(
      `SELECT id, name, created_at, expires_at, last_used_at, ${PAGE_KEY}::text AS page_key FROM tokens
        WHERE kind = 'pat' AND revoked_at IS NULL AND ${k.where} ORDER BY ${k.order} LIMIT ${k.fetch}`,
      k.params,
    ),
  )
  const {rows: shown, next} = pageOf(rows, page.limit)
  return {tokens: shown.map(apiToken), next_cursor: next}
}

export async function revokeApiToken(ctx: ServerContext, userId: string, id: string): Promise<void> {
  const notFound = () => ApiError.notFound('API token', 'List your tokens with `clawd tokens list`.')
  if (!TOKEN_ID.test(id)) throw notFound()
  const rows = await ctx.db.asUser(userId, (q) =>
    q.query(`UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND kind = 'pat' AND revoked_at IS NULL RETURNING id`, [id, new Date(ctx.clock.now())]),
  )
  if (rows.length === 0) throw notFound()
}
