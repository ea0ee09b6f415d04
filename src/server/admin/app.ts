import Fastify, {type FastifyInstance} from 'fastify'
import {adminApi} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {registerProblemHandler} from '../problem-handler.js'
import {serveRoutes} from '../serve.js'
import {adminApproveRoutes} from './approve.js'
import {adminDrainRoutes} from './drain.js'
import {adminIncidentRoutes} from './incidents.js'
import {adminInviteRoutes} from './invites.js'
import {adminUserRoutes} from './users.js'

export type AdminPlugin = (app: FastifyInstance, ctx: ServerContext) => Promise<void>

/**
 * Operator routes (users and their plans, invite codes, device approvals, incidents). They are
 * never on the network port: they listen on `<data-dir>/admin.sock` (0600, in a 0700 dir), so only
 * the data dir's owner can use them; when no server runs, operator commands build this same app
 * in-process.
 */
export const adminPlugins: AdminPlugin[] = [adminUserRoutes, adminApproveRoutes, adminIncidentRoutes, adminInviteRoutes, adminDrainRoutes]

export async function buildAdminApp(ctx: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({loggerInstance: ctx.log.child({component: 'admin'}), bodyLimit: 64 * 1024})
  registerProblemHandler(app)
  serveRoutes(app)(adminApi.health, async () => ({status: 'ok' as const}))
  for (const plugin of adminPlugins) await plugin(app, ctx)
  return app
}
