import {telegramRoutes} from '../channels/telegram/routes.js'
import type {AgentRoutes} from '../router.js'
import {healthRoute} from './health.js'
import {deleteKeyRoute, listKeysRoute, putKeyRoute} from './keys.js'
import {pubkeyRoute} from './pubkey.js'
import {sessionRoutes} from './sessions.js'
import {getWorkspaceRoute, putWorkspaceRoute} from './workspace.js'
import {runToolRoute} from '../tools/route.js'

/** Every route the agent serves. Add one import and one entry per route file. */
export const agentRoutes: AgentRoutes = [healthRoute, pubkeyRoute, putKeyRoute, deleteKeyRoute, listKeysRoute, ...sessionRoutes, getWorkspaceRoute, putWorkspaceRoute, runToolRoute, ...telegramRoutes]
