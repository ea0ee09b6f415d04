import type {FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface} from 'fastify'
import {browserAuth} from '../auth/browser-auth.js'
import {csrfPasses, csrfTokenFor} from '../auth/csrf.js'
import {currentSession, type WebSession} from '../auth/sessions.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import type {InstanceRow} from '../instances/repo.js'
import {rateLimited, takeToken} from '../ratelimit/bucket.js'
import {bucketFor} from '../ratelimit/requests.js'
import {safeNext} from '../pages/forms.js'
import type {Html} from '../pages/html.js'
import {layout, sendPage} from '../pages/layout.js'
import {allowOwnScripts} from '../pages/security-headers.js'

/** A signed-in console request: who, and the CSRF token for the forms on its page. */
export interface Visitor {
  session: WebSession
  csrf: string
}

/**
 * Every console page needs a session: without one, the browser goes to sign in and comes back
 * here (when `here` is one of our console paths; safeNext refuses anything else).
 */
export async function signedIn(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply): Promise<Visitor | null> {
  const session = await currentSession(ctx, req)
  if (!session) {
    const here = safeNext(req.url.split('?')[0])
    reply.redirect(here === '/' ? '/signin' : `/signin?next=${encodeURIComponent(here)}`, 303)
    return null
  }
  // Console requests are recorded in the account's access log like API requests, and share the
  // session's request budget with the /v1 calls its scripts make.
  req.auth = browserAuth(session)
  const rate = ctx.config.rateLimits.perToken
  if (rate) {
    const result = await takeToken(ctx.db, bucketFor(rate, `req:token:${req.auth.tokenId}`))
    if (!result.allowed) throw rateLimited(result, 'Too many requests from this browser session.', 'Wait a moment, then reload the page.')
  }
  return {session, csrf: csrfTokenFor(reply, session)}
}

/** Route params of an instance's pages: its id or name. */
export type Ref = {Params: {ref: string}}

type VisitorHandler<R extends RouteGenericInterface> = (req: FastifyRequest<R>, reply: FastifyReply, v: Visitor) => Promise<unknown>

/**
 * The console's routes: a page (GET) runs its handler for a signed-in visitor; a form post only
 * when the form's CSRF token is bound to that session too. Else nothing happens: the reply is
 * already a redirect to sign in, or the refusal of the token.
 */
export function visitorRoutes(app: FastifyInstance, ctx: ServerContext) {
  const on =
    (method: 'GET' | 'POST') =>
    <R extends RouteGenericInterface = RouteGenericInterface>(url: string, handler: VisitorHandler<R>, opts: {bodyLimit?: number} = {}) =>
      app.route({
        method,
        url,
        ...opts,
        handler: async (req, reply) => {
          const v = await signedIn(ctx, req, reply)
          return v && (method === 'GET' || csrfPasses(req, reply, v.session)) ? handler(req as FastifyRequest<R>, reply, v) : reply
        },
      })
  return {get: on('GET'), post: on('POST')}
}

const INSTANCES_PAGE_HINT = 'See your instances on the Instances page.'

/** The user's instance by id or name, under RLS: another user's is not found (404, never 403). */
export function ownInstance(ctx: ServerContext, userId: string, ref: string): Promise<InstanceRow> {
  return ctx.instances.owned(userId, ref, INSTANCES_PAGE_HINT)
}

/** Sends an instance's page (the Instances section); the CSP lets its `scripts`, our own modules, run. */
export function sendInstancePage(reply: FastifyReply, v: Visitor, status: number, title: string, body: Html, scripts?: string[]): FastifyReply {
  if (scripts) allowOwnScripts(reply)
  return sendPage(reply, status, layout(title, body, {email: v.session.email, csrf: v.csrf}, {nav: 'instances', wide: true, scripts}))
}

/**
 * After an action, back to a page with a fixed notice code (`?done=paused`): the page maps codes
 * to its own words, so nothing a request carries is echoed into a page.
 */
export function backTo(reply: FastifyReply, path: string, done?: string): FastifyReply {
  return reply.redirect(done ? `${path}?done=${encodeURIComponent(done)}` : path, 303)
}

/** What an API error says to a person on a page: what happened, then what to do. */
export function problemText(error: ApiError): string {
  return [error.extra.detail ?? error.title, error.extra.hint].filter(Boolean).join(' ')
}
