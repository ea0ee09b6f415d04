import type {FastifyInstance} from 'fastify'

/**
 * HTTP Strict Transport Security (RFC 6797) on every answer that went over TLS, whether this
 * server terminated it (`--tls-cert`) or a trusted proxy did (`--trust-proxy` and
 * X-Forwarded-Proto): once a browser has seen it, it never sends the session cookie over plain
 * http to this host again. Never over plain http, where RFC 6797 §7.2 says to ignore it anyway.
 */
export const HSTS_VALUE = 'max-age=31536000'

export function registerHsts(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS_VALUE)
    return payload
  })
}
