import {performance} from 'node:perf_hooks'
import type {FastifyInstance, FastifyRequest} from 'fastify'
import {api} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import type {AccessLogWriter} from './access-log-writer.js'

const MAX_CLIENT = 200
const MAX_REF = 64

/**
 * C0 and C1 controls, line and paragraph separators, and bidi overrides: header bytes past ASCII
 * arrive as latin1, so a client can smuggle C1 controls (say U+0085, a line break to some readers)
 * into what the user's terminal later prints.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** The User-Agent as one short printable line: it is the client's own text, shown back to the user. */
export function clientOf(req: FastifyRequest): string | null {
  const ua = req.headers['user-agent']
  if (typeof ua !== 'string' || ua.length === 0) return null
  return ua.replace(UNPRINTABLE, ' ').slice(0, MAX_CLIENT)
}

/**
 * Reading the log is not itself logged: `clawd logs --follow` polls, and each poll would otherwise
 * add an entry for the next poll to show, forever.
 */
function isLogRead(method: string, route: string): boolean {
  return method === api.logs.list.method && route === api.logs.list.path
}

/**
 * Records every authenticated request in the account's access log: when, which token (its id),
 * which client and address, the method and route template, the instance, the status and how long
 * it took. It listens for the response's `close`, which comes both when a response finishes and
 * when the client goes away mid-stream, so a dropped chat stream is logged too (marked aborted).
 * `req.ip` follows `trustProxy`: forwarded addresses count only when the operator said so.
 */
export function registerAccessLog(app: FastifyInstance, ctx: ServerContext, writer: AccessLogWriter): void {
  app.addHook('onRequest', (req, reply, done) => {
    const at = new Date(ctx.clock.now())
    const started = performance.now()
    reply.raw.once('close', () => {
      const auth = req.auth
      const route = req.routeOptions.url
      if (!auth || !route || isLogRead(req.method, route)) return
      const ref = (req.params as Record<string, unknown> | undefined)?.ref
      const finished = reply.raw.writableFinished
      writer.add({
        userId: auth.userId,
        at,
        tokenId: auth.tokenId,
        client: clientOf(req),
        ip: req.ip ?? null,
        method: req.method,
        route,
        instanceRef: typeof ref === 'string' && route.includes(':ref') ? ref.slice(0, MAX_REF) : null,
        status: reply.raw.statusCode,
        durationMs: Math.max(0, Math.round(performance.now() - started)),
        detail: finished ? null : {aborted: true},
      })
    })
    done()
  })
}
