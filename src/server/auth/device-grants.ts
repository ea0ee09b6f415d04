import {randomBytes} from 'node:crypto'
import {hashToken} from '../../crypto/tokens.js'
import type {ServerContext} from '../context.js'
import {newId} from './ids.js'
import {OAuthHttpError} from './oauth-error.js'
import {issueTokenPair, type TokenPair} from './token-store.js'
import {formatUserCode, generateUserCode} from './user-code.js'

/**
 * The device authorization grant (RFC 8628) as state in the store. A grant belongs to nobody until
 * someone approves it, so these functions run as the system; the device code is kept only as its
 * HMAC, the user code in clear (it is shown on screen and useless without an approval).
 */
export type DeviceGrantStatus = 'pending' | 'approved' | 'denied' | 'consumed'

export interface DeviceGrantView {
  id: string
  /** As shown: XXXX-XXXX. */
  user_code: string
  status: DeviceGrantStatus
  client_id: string
  client_ip: string | null
  user_agent: string | null
  requested_at: Date
  expires_at: Date
}

const view = (row: DeviceGrantView): DeviceGrantView => ({...row, user_code: formatUserCode(row.user_code)})

export interface NewDeviceGrant {
  deviceCode: string
  userCode: string
  expiresIn: number
  interval: number
}

export async function createDeviceGrant(
  ctx: ServerContext,
  req: {clientId: string; scope?: string; clientIp: string | null; userAgent: string | null},
): Promise<NewDeviceGrant> {
  const now = ctx.clock.now()
  const deviceCode = randomBytes(32).toString('base64url')
  const {deviceCodeTtlMs, devicePollIntervalSec} = ctx.config.auth
  for (let attempt = 0; attempt < 5; attempt++) {
    const userCode = generateUserCode()
    // A clash with a pending code (one in ~10^10 per live grant) hits the partial unique index; draw again.
    const inserted = await ctx.db.asSystem((q) =>
      q.query(
        `INSERT INTO device_grants (id, device_code_hash, user_code, client_id, scope, client_ip, user_agent, requested_at, expires_at, "interval")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
        [
          newId('dev'),
          hashToken(ctx.secrets.tokenPepper, deviceCode),
          userCode,
          req.clientId,
          req.scope ?? null,
          req.clientIp,
          req.userAgent?.slice(0, 300) ?? null,
          new Date(now),
          new Date(now + deviceCodeTtlMs),
          devicePollIntervalSec,
        ],
      ),
    )
    if (inserted.length > 0) {
      return {deviceCode, userCode: formatUserCode(userCode), expiresIn: Math.max(1, Math.floor(deviceCodeTtlMs / 1000)), interval: devicePollIntervalSec}
    }
  }
  throw new Error('could not allocate a unique user code')
}

/**
 * One poll of the token endpoint with a device code. Returns tokens once, after approval; every
 * other state is the RFC 8628 §3.5 error the client acts on. Polling sooner than `interval` after
 * the previous poll answers `slow_down` and adds 5 s to the interval from then on.
 */
export async function pollDeviceGrant(ctx: ServerContext, deviceCode: string, clientId: string): Promise<TokenPair | OAuthHttpError> {
  const now = ctx.clock.now()
  return ctx.db.asSystem(async (q) => {
    const [row] = await q.query<{id: string; status: DeviceGrantStatus; client_id: string; user_id: string | null; expires_at: Date; interval: number; last_polled_at: Date | null}>(
      `SELECT id, status, client_id, user_id, expires_at, "interval", last_polled_at FROM device_grants WHERE device_code_hash = $1 FOR UPDATE`,
      [hashToken(ctx.secrets.tokenPepper, deviceCode)],
    )
    if (!row) return new OAuthHttpError('invalid_grant', 'The device code is not valid.')
    if (row.client_id !== clientId) return new OAuthHttpError('invalid_grant', 'The device code was issued to another client.')
    if (row.status === 'consumed') return new OAuthHttpError('invalid_grant', 'The device code has already been used.')
    if (now >= new Date(row.expires_at).getTime()) return new OAuthHttpError('expired_token', 'The device code has expired; start again.')
    if (row.status === 'denied') return new OAuthHttpError('access_denied', 'The request was denied.')
    if (row.status === 'approved' && row.user_id) {
      await q.query(`UPDATE device_grants SET status = 'consumed', last_polled_at = $2 WHERE id = $1`, [row.id, new Date(now)])
      return issueTokenPair(ctx, q, {userId: row.user_id, clientId: row.client_id})
    }
    const tooSoon = row.last_polled_at !== null && now - new Date(row.last_polled_at).getTime() < row.interval * 1000
    await q.query(`UPDATE device_grants SET last_polled_at = $2, "interval" = "interval" + $3 WHERE id = $1`, [row.id, new Date(now), tooSoon ? 5 : 0])
    return tooSoon
      ? new OAuthHttpError('slow_down', `Polling too fast; wait at least ${row.interval + 5} seconds between requests.`)
      : new OAuthHttpError('authorization_pending', 'Waiting for the user to approve the request.')
  })
}

/** The most recent grant with this (normalised) user code, whatever its state, for the approval page. */
export async function findGrantByUserCode(ctx: ServerContext, userCode: string): Promise<DeviceGrantView | null> {
  const [row] = await ctx.db.asSystem((q) =>
    q.query<DeviceGrantView>(
      `SELECT id, user_code, status, client_id, client_ip, user_agent, requested_at, expires_at
       FROM device_grants WHERE user_code = $1 ORDER BY (status = 'pending') DESC, requested_at DESC LIMIT 1`,
      [userCode],
    ),
  )
  return row ? view(row) : null
}

export type DecisionOutcome = {ok: true; grant: DeviceGrantView} | {ok: false; reason: 'not_found' | 'expired' | 'already_decided'}

/**
 * Approves or denies a pending, unexpired grant for `userId`. The update is conditional, so two
 * decisions racing on one code cannot both win. `grantId` pins the decision to the grant the
 * person was shown.
 */
export async function decideGrant(
  ctx: ServerContext,
  d: {userCode: string; grantId?: string; userId: string; approve: boolean},
): Promise<DecisionOutcome> {
  const now = new Date(ctx.clock.now())
  return ctx.db.asSystem(async (q) => {
    const [row] = await q.query<DeviceGrantView>(
      `UPDATE device_grants SET status = $3, user_id = $4, decided_at = $5
       WHERE user_code = $1 AND ($2::text IS NULL OR id = $2) AND status = 'pending' AND expires_at > $5
       RETURNING id, user_code, status, client_id, client_ip, user_agent, requested_at, expires_at`,
      [d.userCode, d.grantId ?? null, d.approve ? 'approved' : 'denied', d.userId, now],
    )
    if (row) return {ok: true, grant: view(row)}
    const [existing] = await q.query<{status: DeviceGrantStatus; expires_at: Date}>(
      `SELECT status, expires_at FROM device_grants WHERE user_code = $1 AND ($2::text IS NULL OR id = $2) ORDER BY requested_at DESC LIMIT 1`,
      [d.userCode, d.grantId ?? null],
    )
    if (!existing) return {ok: false, reason: 'not_found'}
    if (existing.status !== 'pending') return {ok: false, reason: 'already_decided'}
    return {ok: false, reason: 'expired'}
  })
}
