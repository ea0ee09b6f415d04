import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {oauthPaths} from '../../contract/auth.js'
import {csrfPasses, csrfTokenFor} from '../auth/csrf.js'
import {decideGrant, findGrantByUserCode} from '../auth/device-grants.js'
import {codeEntryLimits} from '../auth/limits.js'
import {currentSession, type WebSession} from '../auth/sessions.js'
import {normalizeUserCode} from '../auth/user-code.js'
import type {ServerContext} from '../context.js'
import {takeTokens} from '../ratelimit/bucket.js'
import {retryText} from './account-pages.js'
import {field, queryParam} from './forms.js'
import {layout, sendPage} from './layout.js'
import {deviceConfirmView, deviceDoneView, deviceEntryView} from './views.js'

const NOT_A_CODE = 'That is not a valid code. Codes are 8 letters, like BCDF-GHJK.'

/**
 * The verification page (RFC 8628 §3.3): a signed-in person enters or confirms a user code, sees
 * which client asked, from where and when, and approves or denies. Every code lookup, and every
 * decision, is charged to the per-IP and per-account limits, so codes cannot be guessed here.
 */
export async function devicePages(app: FastifyInstance, ctx: ServerContext): Promise<void> {

  async function signedIn(req: FastifyRequest, reply: FastifyReply, userCode?: string): Promise<WebSession | null> {
    const session = await currentSession(ctx, req)
    if (!session) {
      const here = userCode ? `${oauthPaths.device}?user_code=${encodeURIComponent(userCode)}` : oauthPaths.device
      reply.redirect(`/signin?next=${encodeURIComponent(here)}`, 303)
    }
    return session
  }

  const frame = (reply: FastifyReply, session: WebSession, title: string, body: Parameters<typeof layout>[1]) =>
    layout(title, body, {email: session.email, csrf: csrfTokenFor(reply, session)})

  const entryPage = (reply: FastifyReply, session: WebSession, status: number, v: {userCode?: string; error?: string}) =>
    sendPage(reply, status, frame(reply, session, 'Connect a device', deviceEntryView({...v, csrf: csrfTokenFor(reply, session)})))

  /** Charges the code-entry limits; answers 429 and returns false when they are spent. */
  async function withinLimits(req: FastifyRequest, reply: FastifyReply, session: WebSession, typed: string): Promise<boolean> {
    const limit = await takeTokens(ctx.db, codeEntryLimits(req.ip, session.userId))
    if (limit.allowed) return true
    reply.header('retry-after', String(limit.retryAfterSec))
    await entryPage(reply, session, 429, {userCode: typed, error: `Too many codes tried. Wait ${retryText(limit.retryAfterSec)}, then try again.`})
    return false
  }

  async function showGrant(req: FastifyRequest, reply: FastifyReply, session: WebSession, typed: string) {
    const code = normalizeUserCode(typed)
    if (!code) return entryPage(reply, session, 400, {userCode: typed, error: NOT_A_CODE})
    if (!(await withinLimits(req, reply, session, typed))) return reply
    const grant = await findGrantByUserCode(ctx, code)
    const now = ctx.clock.now()
    if (!grant) return entryPage(reply, session, 404, {userCode: typed, error: 'No sign-in request has this code. Check it and try again.'})
    if (grant.status !== 'pending') return entryPage(reply, session, 409, {userCode: typed, error: 'This code has already been used. Start the sign-in again for a new one.'})
    if (new Date(grant.expires_at).getTime() <= now) return entryPage(reply, session, 410, {userCode: typed, error: 'This code has expired. Start the sign-in again for a new one.'})
    const body = deviceConfirmView({csrf: csrfTokenFor(reply, session), grant, email: session.email, now})
    return sendPage(reply, 200, frame(reply, session, 'Approve this sign-in?', body))
  }

  app.get(oauthPaths.device, async (req, reply) => {
    const typed = queryParam(req, 'user_code', 32)
    const session = await signedIn(req, reply, typed)
    if (!session) return reply
    if (typed === undefined || typed === '') return entryPage(reply, session, 200, {})
    return showGrant(req, reply, session, typed)
  })

  app.post(oauthPaths.device, async (req, reply) => {
    const session = await signedIn(req, reply)
    if (!session) return reply
    if (!csrfPasses(req, reply, session)) return reply
    return showGrant(req, reply, session, field(req, 'user_code', 32))
  })

  app.post(`${oauthPaths.device}/decision`, async (req, reply) => {
    const session = await signedIn(req, reply)
    if (!session) return reply
    if (!csrfPasses(req, reply, session)) return reply
    const typed = field(req, 'user_code', 32)
    const decision = field(req, 'decision', 16)
    const code = normalizeUserCode(typed)
    if (!code || (decision !== 'approve' && decision !== 'deny')) return entryPage(reply, session, 400, {userCode: typed, error: NOT_A_CODE})
    if (!(await withinLimits(req, reply, session, typed))) return reply
    const grantId = field(req, 'grant_id', 64) || undefined
    const outcome = await decideGrant(ctx, {userCode: code, grantId, userId: session.userId, approve: decision === 'approve'})
    if (!outcome.ok) {
      const error = {
        not_found: 'No sign-in request has this code. Check it and try again.',
        expired: 'This code expired before it was approved. Start the sign-in again for a new one.',
        already_decided: 'This code was already approved or denied.',
      }[outcome.reason]
      return entryPage(reply, session, outcome.reason === 'not_found' ? 404 : 409, {userCode: typed, error})
    }
    req.log.info({grantId: outcome.grant.id, userId: session.userId, decision}, 'device grant decided')
    const approved = decision === 'approve'
    return sendPage(reply, 200, frame(reply, session, approved ? 'Device approved' : 'Request denied', deviceDoneView(approved, outcome.grant.client_id)))
  })
}
