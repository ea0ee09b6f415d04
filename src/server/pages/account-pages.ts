import type {FastifyInstance, FastifyReply} from 'fastify'
import {adminCreateUserRequestSchema} from '../../contract/auth.js'
import {csrfPasses, csrfTokenFor} from '../auth/csrf.js'
import {InviteRefused} from '../auth/invites.js'
import {signInLimits, signUpLimits} from '../auth/limits.js'
import {judgePassword} from '../auth/password-strength.js'
import {clearFailures, recordFailure, secondsToWait, throttleKey} from '../auth/signin-throttle.js'
import {currentSession, endSession, startSession} from '../auth/sessions.js'
import {checkCredentials, createUser, MIN_PASSWORD_LENGTH} from '../auth/users.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {takeTokens} from '../ratelimit/bucket.js'
import {field, queryParam, safeNext} from './forms.js'
import {layout, sendPage} from './layout.js'
import {errorView, signInView, signUpView} from './views.js'

export const csrfRejected = () =>
  new ApiError(403, 'forbidden', 'This form has expired', {
    detail: 'The form was not accepted: it is too old or did not come from this site.',
    hint: 'Go back, reload the page and try again.',
  })

export function retryText(seconds: number): string {
  const minutes = Math.ceil(seconds / 60)
  return seconds < 60 ? `${seconds} seconds` : minutes === 1 ? 'a minute' : `${minutes} minutes`
}

/** Sign up, sign in and sign out: the only way a browser gets a session. */
export async function accountPages(app: FastifyInstance, ctx: ServerContext): Promise<void> {

  const renderSignIn = (reply: FastifyReply, status: number, v: {next: string; email?: string; error?: string; info?: string}) =>
    sendPage(reply, status, layout('Sign in', signInView({...v, csrf: csrfTokenFor(reply, null)})))
  const renderSignUp = (reply: FastifyReply, status: number, v: {next: string; email?: string; invite?: string; error?: string}) =>
    sendPage(reply, status, layout('Create an account', signUpView({...v, minLength: MIN_PASSWORD_LENGTH, csrf: csrfTokenFor(reply, null)})))

  app.get('/signin', async (req, reply) => {
    const next = safeNext(queryParam(req, 'next'))
    if (await currentSession(ctx, req)) return reply.redirect(next, 303)
    const info = next.startsWith('/device') && next !== '/device' ? 'Sign in to approve the device.' : undefined
    return renderSignIn(reply, 200, {next, info})
  })

  app.post('/signin', async (req, reply) => {
    if (!csrfPasses(req, reply, null)) return reply
    const next = safeNext(field(req, 'next'))
    const email = field(req, 'email', 254).trim()
    const password = field(req, 'password')
    if (!email || !password) return renderSignIn(reply, 400, {next, email, error: 'Enter your email and password.'})
    const tooMany = (seconds: number) => {
      reply.header('retry-after', String(seconds))
      return renderSignIn(reply, 429, {next, email, error: `Too many sign-in attempts. Try again in ${retryText(seconds)}.`})
    }
    const limit = await takeTokens(ctx.db, signInLimits(req.ip))
    if (!limit.allowed) return tooMany(limit.retryAfterSec)
    // Wrong passwords slow down this address for this email only, never the owner elsewhere.
    const throttle = throttleKey(ctx.secrets.tokenPepper, req.ip, email)
    const wait = await secondsToWait(ctx.db, throttle, new Date(ctx.clock.now()))
    if (wait > 0) return tooMany(wait)
    const userId = await checkCredentials(ctx, email, password)
    if (!userId) {
      await recordFailure(ctx.db, throttle, new Date(ctx.clock.now()))
      return renderSignIn(reply, 401, {next, email, error: 'The email or password is incorrect.'})
    }
    await clearFailures(ctx.db, throttle)
    await startSession(ctx, req, reply, userId)
    return reply.redirect(next, 303)
  })

  app.get('/signup', async (req, reply) => {
    const next = safeNext(queryParam(req, 'next'))
    if (await currentSession(ctx, req)) return reply.redirect(next, 303)
    return renderSignUp(reply, 200, {next})
  })

  app.post('/signup', async (req, reply) => {
    if (!csrfPasses(req, reply, null)) return reply
    const next = safeNext(field(req, 'next'))
    const email = field(req, 'email', 300).trim()
    const password = field(req, 'password', 2048)
    // Optional: a code from the operator that signs the account up into its plan.
    const invite = field(req, 'invite', 64).trim()
    const parsed = adminCreateUserRequestSchema.safeParse({email, password})
    if (!parsed.success) {
      const badEmail = parsed.error.issues.some((i) => i.path[0] === 'email')
      const error = badEmail ? 'Enter a valid email address.' : `The password must have between ${MIN_PASSWORD_LENGTH} and 1024 characters.`
      return renderSignUp(reply, 400, {next, email, invite, error})
    }
    const strength = await judgePassword(parsed.data.password, [parsed.data.email])
    if (!strength.ok) return renderSignUp(reply, 400, {next, email, invite, error: strength.reason})
    // Before the invite is looked at, so guessing codes is as slow as creating accounts.
    const limit = await takeTokens(ctx.db, signUpLimits(req.ip))
    if (!limit.allowed) {
      reply.header('retry-after', String(limit.retryAfterSec))
      return renderSignUp(reply, 429, {next, email, invite, error: `Too many accounts created from here. Try again in ${retryText(limit.retryAfterSec)}.`})
    }
    try {
      const user = await createUser(ctx, parsed.data.email, parsed.data.password, invite ? {invite} : {})
      await startSession(ctx, req, reply, user.id)
    } catch (error) {
      if (error instanceof ApiError && error.code === 'already_exists') {
        return renderSignUp(reply, 409, {next, email, invite, error: 'An account with this email already exists. Sign in instead.'})
      }
      // The refused code is not put back in the form: the person retypes or clears it.
      if (error instanceof InviteRefused) return renderSignUp(reply, 400, {next, email, error: error.extra.detail})
      throw error
    }
    return reply.redirect(next, 303)
  })

  app.post('/signout', async (req, reply) => {
    const session = await currentSession(ctx, req)
    if (session && !csrfPasses(req, reply, session)) return reply
    await endSession(ctx, req, reply, session)
    return reply.redirect('/signin', 303)
  })

  app.get('/signout', async (_req, reply) =>
    sendPage(reply.header('allow', 'POST'), 405, layout('Sign out', errorView({title: 'Use the Sign out button', detail: 'Signing out needs the button on the page.'}))),
  )
}
