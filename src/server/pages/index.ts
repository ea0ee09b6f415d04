import type {FastifyError, FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {isCsrfRefusal} from '../auth/csrf.js'
import {registerFormParser} from '../auth/form-body.js'
import {consoleRoutes} from '../console/index.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {accountPages, csrfRejected} from './account-pages.js'
import {assetRoutes} from './assets.js'
import {devicePages} from './device-page.js'
import {layout, sendPage} from './layout.js'
import {registerPageSecurityHeaders} from './security-headers.js'
import {errorView} from './views.js'

/** Errors on a page are pages too: a title, what happened, what to do; never a stack. */
function pageErrorHandler(err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply) {
  // @fastify/csrf-protection's refusal of a form's token (csrfPasses) reads as it always has.
  if (!(err instanceof ApiError) && isCsrfRefusal(err)) err = csrfRejected()
  let shown: {status: number; title: string; detail?: string; hint?: string}
  if (err instanceof ApiError) shown = {status: err.status, title: err.title, detail: err.extra.detail, hint: err.extra.hint}
  else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') shown = {status: 413, title: 'Too much data', detail: 'The form sent more data than this page accepts.'}
  else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) shown = {status: err.statusCode, title: 'Bad request', detail: 'The form could not be read.', hint: 'Go back, reload the page and try again.'}
  else {
    req.log.error({err: {type: err.name, message: err.message, stack: err.stack}}, 'page failed')
    shown = {status: 500, title: 'Something went wrong', detail: 'The server could not complete this request.', hint: 'Try again; if it persists, tell the operator.'}
  }
  if (err instanceof ApiError) for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v)
  return sendPage(reply, shown.status, layout(shown.title, errorView(shown)))
}

/** The server-rendered pages (/signup, /signin, /signout, /device, the console) and their stylesheet. */
export async function pageRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await app.register(async (scope) => {
    await registerFormParser(scope)
    await registerPageSecurityHeaders(scope)
    scope.setErrorHandler(pageErrorHandler)
    await assetRoutes(scope)
    await accountPages(scope, ctx)
    await devicePages(scope, ctx)
    await consoleRoutes(scope, ctx)
  })
}
