import type {FastifyInstance} from 'fastify'
import {currentSession} from '../auth/sessions.js'
import {csrfTokenFor} from '../auth/csrf.js'
import type {ServerContext} from '../context.js'
import {layout, sendPage} from '../pages/layout.js'
import {serviceStatus} from '../status/components.js'
import {statusView} from './views/status.js'

/** GET /status: public, like /v1/status, so it answers even when signing in does not work. */
export async function consoleStatusPage(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get('/status', async (req, reply) => {
    const status = await serviceStatus(ctx)
    // Signed in, it keeps the console's navigation; a failing session lookup must not hide the status.
    const session = await currentSession(ctx, req).catch(() => null)
    const signed = session ? {email: session.email, csrf: csrfTokenFor(reply, session)} : undefined
    return sendPage(reply, 200, layout('Status', statusView(status), signed, {nav: 'status', wide: true}))
  })
}
