import type {CookieSerializeOptions} from '@fastify/cookie'

export const SESSION_COOKIE = 'clawd_session'
export const CSRF_COOKIE = 'clawd_csrf'

/**
 * Every cookie we set: one the page scripts cannot read (HttpOnly: an injected script must not
 * steal the session), sent on top-level navigation but not on cross-site subrequests
 * (SameSite=Lax), and Secure when the request came over TLS (`auto`: directly or through a
 * trusted proxy's X-Forwarded-Proto). Values are base64url, which encoding leaves as they are.
 */
export const COOKIE_OPTIONS: CookieSerializeOptions = {path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto'}
