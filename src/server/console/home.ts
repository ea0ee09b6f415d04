import type {FastifyInstance} from 'fastify'
import {csrfTokenFor} from '../auth/csrf.js'
import {currentSession} from '../auth/sessions.js'
import type {ServerContext} from '../context.js'
import {listInstances} from '../instances/repo.js'
import {instanceView} from '../instances/view.js'
import {layout, sendPage} from '../pages/layout.js'
import {planOf} from '../quotas/plans.js'
import {issuerUrl} from '../routes/oauth.js'
import {serviceStatus} from '../status/components.js'
import {signedIn} from './guard.js'
import {dashboardView, landingView} from './views/home.js'
import {statusView} from './views/status.js'

/**
 * `/`: what this is and how to start when signed out; the dashboard when signed in. `/status`:
 * public, like /v1/status, so it answers even when signing in does not work.
 */
export async function consoleHomePage(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // Where people (and the issue) looked for it first.
  app.get('/dashboard', async (_req, reply) => reply.redirect('/', 301))

  app.get('/', async (req, reply) => {
    const apiUrl = issuerUrl(ctx, req)
    if (!(await currentSession(ctx, req))) return sendPage(reply, 200, layout('Hosted agents', landingView(apiUrl), undefined, {wide: true}))
    const v = await signedIn(ctx, req, reply)
    if (!v) return reply
    const userId = v.session.userId
    const {rows, plan} = await ctx.db.asUser(userId, async (q) => ({rows: await listInstances(q), plan: await planOf(q, ctx.config, userId)}))
    const body = dashboardView({email: v.session.email, plan: plan.name, instances: rows.map((r) => instanceView(r, ctx.config, plan)), apiUrl, now: ctx.clock.now()})
    return sendPage(reply, 200, layout('Dashboard', body, {email: v.session.email, csrf: v.csrf}, {nav: 'home', wide: true}))
  })

  app.get('/status', async (req, reply) => {
    const status = await serviceStatus(ctx)
    // Signed in, it keeps the console's navigation; a failing session lookup must not hide the status.
    const session = await currentSession(ctx, req).catch(() => null)
    const signed = session ? {email: session.email, csrf: csrfTokenFor(reply, session)} : undefined
    return sendPage(reply, 200, layout('Status', statusView(status), signed, {nav: 'status', wide: true}))
  })
}
