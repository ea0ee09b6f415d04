import {timingSafeEqual} from 'node:crypto'
import {hashToken, randomChars} from '../../crypto/tokens.js'

/**
 * The secret Telegram sends back with every update (`secret_token` in setWebhook, 1–256 of
 * A-Z a-z 0-9 _ -). 48 base62 characters: ~285 bits. The store keeps only its peppered HMAC,
 * which is also how an update finds its instance.
 */
export const newWebhookSecret = () => randomChars(48)

const SHAPE = /^[A-Za-z0-9_-]{16,256}$/
const DOMAIN = 'clawd/telegram-webhook/v1|'

export function webhookSecretHash(pepper: Buffer, secret: string): string {
  return hashToken(pepper, DOMAIN + secret)
}

/** The hash of a header value that has the shape of one of our secrets; undefined otherwise. */
export function hashOfPresented(pepper: Buffer, header: unknown): string | undefined {
  return typeof header === 'string' && SHAPE.test(header) ? webhookSecretHash(pepper, header) : undefined
}

/** Constant-time equality of two hex hashes of equal length (what the lookup returned vs. what we computed). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y)
}
