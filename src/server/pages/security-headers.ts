import type {FastifyReply} from 'fastify'

/**
 * Headers on every page: no script may run at all, styles only from us, forms post only to us,
 * no framing (clickjacking an Approve button), no referrer (the URL can hold a user code).
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

/**
 * Console pages that need a script (sealing a key, chat, uploading a tar) may load our own module
 * files and fetch from us; still no inline script, no eval, nothing from elsewhere.
 */
export const SCRIPTED_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

const scripted = new WeakSet<FastifyReply>()

/** Marks this answer as a page that loads our own scripts. */
export function allowOwnScripts(reply: FastifyReply): void {
  scripted.add(reply)
}

export function setPageSecurityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', scripted.has(reply) ? SCRIPTED_PAGE_CSP : PAGE_CSP)
  reply.header('x-frame-options', 'DENY')
  reply.header('referrer-policy', 'no-referrer')
  reply.header('x-content-type-options', 'nosniff')
  reply.header('cross-origin-opener-policy', 'same-origin')
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
}
