import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'
import type {FastifyReply, FastifyRequest} from 'fastify'
import {CSRF_COOKIE, readCookie, setCookie} from './cookies.js'
import type {WebSession} from './sessions.js'

/**
 * CSRF tokens for every form, signed with the server's signing key. Signed-in forms are bound to
 * the session; the sign-in and sign-up forms (no session yet) use a signed double-submit: a random
 * cookie, and a form field that is its HMAC. A cross-site page can neither read the cookie nor
 * compute the HMAC, so it cannot forge either form (which also stops login CSRF).
 */
const PRE_LOGIN_COOKIE_TTL_SEC = 24 * 3600

function sign(key: Buffer, binding: string): string {
  return createHmac('sha256', key).update('clawd/csrf/v1\0' + binding).digest('base64url')
}

function bindingOf(session: WebSession | null, preLoginNonce: string | undefined): string | null {
  if (session) return 'session:' + session.idHash
  return preLoginNonce ? 'pre:' + preLoginNonce : null
}

/**
 * The token to embed in a form on this response. Without a session it makes sure the
 * double-submit cookie exists (setting it on this response if not).
 */
export function csrfTokenFor(key: Buffer, req: FastifyRequest, reply: FastifyReply, session: WebSession | null): string {
  let nonce = readCookie(req, CSRF_COOKIE)
  if (!session && (!nonce || !/^[A-Za-z0-9_-]{43}$/.test(nonce))) {
    nonce = randomBytes(32).toString('base64url')
    setCookie(req, reply, CSRF_COOKIE, nonce, PRE_LOGIN_COOKIE_TTL_SEC)
  }
  return sign(key, bindingOf(session, nonce)!)
}

export function csrfValid(key: Buffer, req: FastifyRequest, session: WebSession | null, token: unknown): boolean {
  if (typeof token !== 'string' || token.length > 100) return false
  const binding = bindingOf(session, readCookie(req, CSRF_COOKIE))
  if (!binding) return false
  const expected = Buffer.from(sign(key, binding))
  const given = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
