import {hashToken, parseToken} from '../../crypto/tokens.js'
import type {ServerContext} from '../context.js'
import {OAuthHttpError} from './oauth-error.js'
import {findTokenByHash, issueTokenPair, revokeFamily, type TokenPair} from './token-store.js'

/**
 * The refresh_token grant with rotation (OAuth 2.0 Security BCP §4.14): each refresh token works
 * once and is replaced by a new one in the same family. A second use of a spent one means two
 * parties hold it, so the whole family (every access and refresh token of that login) is revoked.
 */
export async function rotateRefreshToken(ctx: ServerContext, presented: string, clientId: string | undefined): Promise<TokenPair | OAuthHttpError> {
  const parsed = parseToken(presented)
  if (!parsed || parsed.kind !== 'rt') return new OAuthHttpError('invalid_grant', 'The refresh token is not valid.')
  const hash = hashToken(ctx.secrets.tokenPepper, parsed.token)
  const now = new Date(ctx.clock.now())
  const outcome = await ctx.db.asSystem(async (q) => {
    // Claiming the token is one conditional update, so two concurrent refreshes cannot both win.
    const [claimed] = await q.query<{id: string; user_id: string; family_id: string; client_id: string | null}>(
      `UPDATE tokens SET used_at = $2, last_used_at = $2
       WHERE hash = $1 AND kind = 'rt' AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
         AND ($3::text IS NULL OR client_id IS NULL OR client_id = $3)
       RETURNING id, user_id, family_id, client_id`,
      [hash, now, clientId ?? null],
    )
    if (claimed) {
      return issueTokenPair(ctx, q, {userId: claimed.user_id, clientId: claimed.client_id, familyId: claimed.family_id, parentId: claimed.id})
    }
    const stored = await findTokenByHash(q, hash)
    if (stored?.kind === 'rt' && stored.used_at && stored.family_id) {
      const revoked = await revokeFamily(q, stored.family_id, now)
      ctx.log.warn({familyId: stored.family_id, tokenId: stored.id, revoked}, 'refresh token reused; revoked its family')
      return new OAuthHttpError('invalid_grant', 'The refresh token was already used; every token of that login is now revoked. Log in again.')
    }
    if (stored?.revoked_at) return new OAuthHttpError('invalid_grant', 'The refresh token has been revoked. Log in again.')
    if (stored?.expires_at && stored.expires_at <= now) return new OAuthHttpError('invalid_grant', 'The refresh token has expired. Log in again.')
    if (stored) return new OAuthHttpError('invalid_grant', 'The refresh token was issued to another client.')
    return new OAuthHttpError('invalid_grant', 'The refresh token is not valid.')
  })
  return outcome
}

/**
 * RFC 7009 revocation. Unknown or malformed tokens are not an error (the client wanted it gone;
 * it is). A refresh token takes its family with it, so a logout ends the whole login.
 */
export async function revokeToken(ctx: ServerContext, presented: string): Promise<void> {
  const parsed = parseToken(presented)
  if (!parsed) return
  const now = new Date(ctx.clock.now())
  await ctx.db.asSystem(async (q) => {
    const stored = await findTokenByHash(q, hashToken(ctx.secrets.tokenPepper, parsed.token))
    if (!stored || stored.revoked_at) return
    if (stored.kind === 'rt' && stored.family_id) await revokeFamily(q, stored.family_id, now)
    else await q.query(`UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [stored.id, now])
  })
}
