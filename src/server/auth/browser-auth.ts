import type {FastifyRequest, preHandlerHookHandler} from 'fastify'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {type AuthContext, requireAuth} from './authenticate.js'
import {BROWSER_CSRF_HEADER, checkCsrf} from './csrf.js'
import {currentSession, type WebSession} from './sessions.js'

/** The answer when the session or its token does not hold (the CSRF plugin's refusals too). */
export const browserSessionRejected = () =>
  new ApiError(401, 'unauthenticated', 'Unauthenticated', {
    detail: 'The browser session is missing or expired, or the page is too old.',
    hint: 'Reload the page, signing in again if asked.',
  })

/**
 * The console's scripts call a few /v1 routes themselves, the same ones the CLI calls: setting a
 * key sealed in the browser, uploading a workspace tar, and chat (its SSE stream and stop). They
 * authenticate with the browser session plus the BROWSER_CSRF_HEADER carrying the page's CSRF
 * token. A cross-site page cannot send it: a custom header needs a CORS preflight we never grant,
 * and the token is bound to the session anyway. A request with a bearer token is checked as before.
 * Two preHandlers: who it is, then (for a browser session) the CSRF plugin's check of the header,
 * which ends the request with its refusal when the token does not fit.
 */
export function requireAuthOrBrowserSession(ctx: ServerContext): preHandlerHookHandler[] {
  const bearer = requireAuth(ctx)
  const browserSessions = new WeakMap<FastifyRequest, WebSession>()
  const identify: preHandlerHookHandler = async (req) => {
    const csrf = req.headers[BROWSER_CSRF_HEADER]
    if (req.headers.authorization || typeof csrf !== 'string') return bearer(req)
    const session = await currentSession(ctx, req)
    if (!session) throw browserSessionRejected()
    browserSessions.set(req, session)
  }
  const checkToken: preHandlerHookHandler = (req, reply, done) => {
    const session = browserSessions.get(req)
    if (!session) return done()
    checkCsrf(req, reply, session, () => {
      req.auth = browserAuth(session)
      done()
    })
  }
  return [identify, checkToken]
}

/**
 * Who a browser request acts for. The access log names the session by a prefix of its stored
 * hash (never the cookie), so console requests appear in `clawd logs` like the CLI's.
 */
export function browserAuth(session: WebSession): AuthContext {
  return {userId: session.userId, tokenId: `web_${session.idHash.slice(0, 16)}`, tokenKind: 'web', expiresAt: null}
}
