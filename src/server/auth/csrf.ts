import {createHmac} from 'node:crypto'
import fastifyCsrfProtection from '@fastify/csrf-protection'
import type {FastifyError, FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {COOKIE_OPTIONS, CSRF_COOKIE} from './cookies.js'
import {SESSION_TTL_MS, type WebSession} from './sessions.js'

/**
 * CSRF tokens for every form and every console script call, by @fastify/csrf-protection: a random
 * secret in the `clawd_csrf` cookie, and tokens that are a keyed hash of it, a salt and what the
 * form is bound to (the plugin's userInfo): the session when signed in, so a token from another
 * account's page does not fit; "visitor" on the sign-in and sign-up forms, where the cookie alone
 * makes the double submit (which also stops login CSRF). A cross-site page can neither read the
 * cookie nor compute the hash (keyed with the server's signing key).
 */

/** The console's scripts send the page's token in this header (a form sends its `csrf` field). */
export const BROWSER_CSRF_HEADER = 'x-clawd-csrf'

/** The secret lives as long as a session can, so a signed-in form does not expire before it. */
const SECRET_COOKIE_TTL_SEC = SESSION_TTL_MS / 1000

declare module 'fastify' {
  interface FastifyRequest {
    /** What this request's token is bound to; set by checkCsrf just before the plugin checks. */
    csrfBinding: string
  }
}

const bindingOf = (session: WebSession | null): string => (session ? 'session:' + session.idHash : 'visitor')

function tokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers[BROWSER_CSRF_HEADER]
  if (typeof header === 'string') return header
  const field = (req.body as Record<string, unknown> | null | undefined)?.csrf
  return typeof field === 'string' ? field : undefined
}

export async function registerCsrf(app: FastifyInstance, signingKey: Buffer): Promise<void> {
  app.decorateRequest('csrfBinding', '')
  await app.register(fastifyCsrfProtection, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: {...COOKIE_OPTIONS, maxAge: SECRET_COOKIE_TTL_SEC},
    getToken: tokenOf,
    getUserInfo: (req) => req.csrfBinding,
    // Its own key, derived from the signing key, so a CSRF hash is never a signature elsewhere.
    csrfOpts: {hmacKey: createHmac('sha256', signingKey).update('clawd/csrf/v2').digest(), secretLength: 32},
  })
}

/** The token to embed in a form on this response; sets the secret cookie when there is none yet. */
export function csrfTokenFor(reply: FastifyReply, session: WebSession | null): string {
  return reply.generateCsrf({userInfo: bindingOf(session)})
}

/**
 * The plugin's check of the request's token against this session (or visitor): done() when it
 * fits; else the plugin answers with its refusal (which the error handlers show as ours: a page
 * saying the form expired, or a 401 problem on /v1) and done is never called. As a route hook,
 * that ends the request there.
 */
export function checkCsrf(req: FastifyRequest, reply: FastifyReply, session: WebSession | null, done: () => void): void {
  req.csrfBinding = bindingOf(session)
  req.server.csrfProtection(req, reply, done)
}

/**
 * checkCsrf inside a handler: false when the refusal has been sent, and the handler must then
 * return the reply as it is. (The plugin's check is synchronous: done runs before it returns.)
 */
export function csrfPasses(req: FastifyRequest, reply: FastifyReply, session: WebSession | null): boolean {
  let passed = false
  checkCsrf(req, reply, session, () => {
    passed = true
  })
  return passed
}

/** The plugin's refusals: a missing secret cookie or a token that does not fit. */
export function isCsrfRefusal(err: FastifyError): boolean {
  return err.code === 'FST_CSRF_MISSING_SECRET' || err.code === 'FST_CSRF_INVALID_TOKEN'
}
