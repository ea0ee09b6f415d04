import {createHash, createHmac, randomBytes, timingSafeEqual} from 'node:crypto'

/**
 * The authenticated hop between replicas: every internal request carries an HMAC-SHA256 over the
 * target replica, method, path, body hash, timestamp and a nonce, keyed by a cluster secret.
 *
 * Why a signed request and not mutual TLS: replicas already must share the master key (it unwraps
 * every instance's data key), so a subkey of it is a cluster secret with no new thing to
 * distribute, rotate or expire; mTLS would need a CA, a certificate per replica and its renewal,
 * for no more trust than the master key already confers. The signature binds the request to one
 * replica and one body, the timestamp bounds its life, and the nonce cache refuses a replay within
 * that window. It authenticates; it does not encrypt: put the internal addresses on a private
 * network (the instance storage a drain copies is ciphertext anyway).
 */
export const HOP_HEADERS = {
  target: 'x-clawd-hop-target',
  timestamp: 'x-clawd-hop-ts',
  nonce: 'x-clawd-hop-nonce',
  signature: 'x-clawd-hop-sig',
} as const

/** How far a hop's timestamp may be from the receiver's clock, either way. */
export const HOP_WINDOW_MS = 30_000

/** The cluster secret for the hop, derived from the server's signing subkey (itself from the master key). */
export function hopKey(signing: Buffer): Buffer {
  return createHmac('sha256', signing).update('clawd internal hop v1').digest()
}

export interface HopRequest {
  target: string
  method: string
  /** Path with its query string, exactly as sent. */
  path: string
  body?: Buffer
}

function canonical(req: HopRequest, timestamp: string, nonce: string): string {
  const bodyHash = createHash('sha256').update(req.body ?? Buffer.alloc(0)).digest('hex')
  return ['clawd-hop-v1', req.target, req.method.toUpperCase(), req.path, timestamp, nonce, bodyHash].join('\n')
}

export function signHop(key: Buffer, req: HopRequest, now = Date.now()): Record<string, string> {
  const timestamp = String(now)
  const nonce = randomBytes(16).toString('base64url')
  const signature = createHmac('sha256', key).update(canonical(req, timestamp, nonce)).digest('base64url')
  return {[HOP_HEADERS.target]: req.target, [HOP_HEADERS.timestamp]: timestamp, [HOP_HEADERS.nonce]: nonce, [HOP_HEADERS.signature]: signature}
}

/** Nonces seen inside the window; a nonce seen twice is a replay. Bounded by the window. */
export class NonceCache {
  private readonly seen = new Map<string, number>()
  private prunedAt = 0

  /** Records the nonce; false when it was already there. */
  remember(nonce: string, expiresAt: number, now: number): boolean {
    // Expired nonces go at most once a second: a busy hop does not rescan the map per request.
    if (now - this.prunedAt > 1000) {
      this.prunedAt = now
      this.prune(now)
    }
    if (this.seen.has(nonce)) return false
    this.seen.set(nonce, expiresAt)
    return true
  }

  private prune(now: number): void {
    for (const [nonce, expires] of this.seen) if (expires < now) this.seen.delete(nonce)
  }
}

export type HopRefusal = 'missing' | 'wrong_target' | 'stale' | 'bad_signature' | 'replayed'

/** Checks a received hop; the nonce is only spent once the signature holds. */
export function verifyHop(
  key: Buffer,
  self: string,
  headers: Record<string, string | string[] | undefined>,
  req: Omit<HopRequest, 'target'>,
  nonces: NonceCache,
  now = Date.now(),
): {ok: true} | {ok: false; reason: HopRefusal} {
  const get = (name: string) => (typeof headers[name] === 'string' ? (headers[name] as string) : undefined)
  const target = get(HOP_HEADERS.target)
  const timestamp = get(HOP_HEADERS.timestamp)
  const nonce = get(HOP_HEADERS.nonce)
  const signature = get(HOP_HEADERS.signature)
  if (!target || !timestamp || !nonce || !signature) return {ok: false, reason: 'missing'}
  if (target !== self) return {ok: false, reason: 'wrong_target'}
  const at = Number(timestamp)
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(now - at) > HOP_WINDOW_MS) return {ok: false, reason: 'stale'}
  const expected = createHmac('sha256', key).update(canonical({...req, target}, timestamp, nonce)).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return {ok: false, reason: 'bad_signature'}
  if (!nonces.remember(nonce, at + HOP_WINDOW_MS, now)) return {ok: false, reason: 'replayed'}
  return {ok: true}
}
