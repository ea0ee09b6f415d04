import type {FastifyInstance} from 'fastify'
import type {ServerContext} from '../context.js'
import {consoleAccountPages} from './account.js'
import {consoleHomePage} from './home.js'
import {consoleInstanceActivityPages} from './instance-activity.js'
import {consoleInstanceDataPages} from './instance-data.js'
import {consoleInstancePages} from './instances.js'
import {consoleStaticRoutes} from './static.js'

/**
 * The web console (DESIGN §5b): every CLI action for a signed-in user, and the public /status.
 * Registered inside the pages' scope, so it shares their CSP, form parser and error pages.
 */
export async function consoleRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await consoleStaticRoutes(app)
  await consoleHomePage(app, ctx)
  await consoleInstancePages(app, ctx)
  await consoleInstanceDataPages(app, ctx)
  await consoleInstanceActivityPages(app, ctx)
  await consoleAccountPages(app, ctx)
}
