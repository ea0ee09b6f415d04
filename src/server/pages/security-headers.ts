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

export function setPageSecurityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', PAGE_CSP)
  reply.header('x-frame-options', 'DENY')
  reply.header('referrer-policy', 'no-referrer')
  reply.header('x-content-type-options', 'nosniff')
  reply.header('cross-origin-opener-policy', 'same-origin')
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
}
