import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {createTokenRequestSchema} from '../../contract/auth.js'
import {AccountArchiveSecretError, layoutAccountExport} from '../../workspace/account-archive.js'
import {tarBuffer} from '../../workspace/tar.js'
import {deleteAccount} from '../account/delete.js'
import {collectAccountExport} from '../account/export.js'
import {createApiToken, listApiTokens, revokeApiToken} from '../auth/api-tokens.js'
import {COOKIE_OPTIONS, SESSION_COOKIE} from '../auth/cookies.js'
import {listLogins, signOutEverywhere} from '../auth/logins.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {field, queryParam} from '../pages/forms.js'
import {layout, sendPage} from '../pages/layout.js'
import {planOf} from '../quotas/plans.js'
import {backTo, problemText, type Visitor, visitorRoutes} from './guard.js'
import {accountDeletedView, accountView} from './views/account.js'

/**
 * The account: API tokens, devices and logins, all data, deleting it. The same functions as
 * /v1/tokens, /v1/account/export and DELETE /v1/account, as the signed-in user.
 */
export async function consoleAccountPages(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const on = visitorRoutes(app, ctx)
  const render = async (req: FastifyRequest, reply: FastifyReply, v: Visitor, status: number, extra: {created?: {name: string; token: string}; error?: string} = {}) => {
    const userId = v.session.userId
    const [tokens, logins, plan] = await Promise.all([
      listApiTokens(ctx, userId).then((page) => page.tokens),
      listLogins(ctx, userId, v.session.idHash),
      ctx.db.asUser(userId, (q) => planOf(q, ctx.config, userId)),
    ])
    const body = accountView({csrf: v.csrf, email: v.session.email, plan: plan.name, tokens, logins, now: ctx.clock.now(), done: queryParam(req, 'done', 32), ...extra})
    // A page showing a new token must not be cached anywhere (setPageSecurityHeaders keeps no-store).
    return sendPage(reply, status, layout('Account', body, {email: v.session.email, csrf: v.csrf}, {nav: 'account', wide: true}))
  }

  on.get('/account', (req, reply, v) => render(req, reply, v, 200))

  on.post('/account/tokens', async (req, reply, v) => {
    const days = field(req, 'expires_in_days', 8)
    const parsed = createTokenRequestSchema.safeParse({name: field(req, 'name', 200).trim(), ...(days ? {expires_in_days: Number(days)} : {})})
    if (!parsed.success) return render(req, reply, v, 400, {error: 'Give the token a name (up to 64 letters, digits, spaces or . _ : @ -) and pick when it expires.'})
    try {
      const created = await createApiToken(ctx, v.session.userId, parsed.data)
      // Shown on this answer only, never in a redirect URL.
      return render(req, reply, v, 201, {created: {name: created.name, token: created.token}})
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) return render(req, reply, v, error.status, {error: problemText(error)})
      throw error
    }
  })

  on.post<{Params: {id: string}}>('/account/tokens/:id/revoke', async (req, reply, v) => {
    await revokeApiToken(ctx, v.session.userId, req.params.id)
    return backTo(reply, '/account', 'revoked')
  })

  on.post('/account/sign-out-everywhere', async (req, reply, v) => {
    const ended = await signOutEverywhere(ctx, v.session.userId)
    req.log.info({userId: v.session.userId, ...ended}, 'signed out everywhere')
    reply.clearCookie(SESSION_COOKIE, COOKIE_OPTIONS)
    return reply.redirect('/signin', 303)
  })

  on.get('/account/export.tar', async (req, reply, v) => {
    // The archive `clawd export --all` writes, from the same document.
    const doc = await collectAccountExport(ctx, v.session.userId)
    let files: ReturnType<typeof layoutAccountExport>['files']
    try {
      files = layoutAccountExport(doc).files
    } catch (error) {
      // The same refusal as the CLI's: a workspace holding what looks like a secret is not exported.
      if (error instanceof AccountArchiveSecretError) throw ApiError.validation(error.message, 'Fix the file on the instance’s Workspace page (and revoke the key if it was real), then download again.')
      throw error
    }
    return reply.header('content-disposition', 'attachment; filename="clawd-account-export.tar"').type('application/x-tar').send(tarBuffer(files))
  })

  on.post('/account/delete', async (req, reply, v) => {
    const typed = field(req, 'confirm_email', 254).trim()
    if (typed.toLowerCase() !== v.session.email.toLowerCase()) {
      return render(req, reply, v, 400, {error: `Nothing was deleted: type your email, ${v.session.email}, to confirm.`})
    }
    await deleteAccount(ctx, v.session.userId, typed)
    reply.clearCookie(SESSION_COOKIE, COOKIE_OPTIONS)
    return sendPage(reply, 200, layout('Account deleted', accountDeletedView()))
  })
}
