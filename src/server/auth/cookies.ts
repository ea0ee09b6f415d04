import type {FastifyReply, FastifyRequest} from 'fastify'

export const SESSION_COOKIE = 'clawd_session'
export const CSRF_COOKIE = 'clawd_csrf'

/** The named cookie from the request, or undefined. Values we set are base64url, so no decoding. */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * Sets a cookie the page scripts cannot read (HttpOnly: there are no page scripts, and an
 * injected one must not steal the session), sent on top-level navigation but not on cross-site
 * subrequests (SameSite=Lax), and only over TLS when the request came over TLS.
 */
export function setCookie(req: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSec: number): void {
  const attrs = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(maxAgeSec))}`]
  if (req.protocol === 'https') attrs.push('Secure')
  const existing = reply.getHeader('set-cookie')
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)]
  reply.header('set-cookie', [...list, attrs.join('; ')])
}

export function clearCookie(req: FastifyRequest, reply: FastifyReply, name: string): void {
  setCookie(req, reply, name, '', 0)
}
