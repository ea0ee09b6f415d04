import type {FastifyInstance} from 'fastify'
import {channelRoutes} from '../channels/routes.js'
import type {ServerContext} from '../context.js'
import {pageRoutes} from '../pages/index.js'
import {accountRoutes} from './account.js'
import {instanceRoutes} from './instances.js'
import {keyRoutes} from './keys.js'
import {logsRoutes} from './logs.js'
import {sessionRoutes} from './sessions.js'
import {oauthRoutes} from './oauth.js'
import {serviceRoutes} from './service.js'
import {workspaceRoutes} from './workspace.js'

/**
 * Every public route plugin, in one list. Each plugin serves one resource's routes, as defined in
 * src/contract/routes (src/server/serve.ts registers them), with its handlers.
 */
export const routePlugins: Array<(app: FastifyInstance, ctx: ServerContext) => Promise<void>> = [serviceRoutes, oauthRoutes, pageRoutes, accountRoutes, instanceRoutes, keyRoutes, sessionRoutes, workspaceRoutes, logsRoutes, channelRoutes]
