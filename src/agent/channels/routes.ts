import type {AgentRoutes} from '../router.js'
import {telegramRoutes} from './telegram/routes.js'

/** Every channel's agent routes (issue 17). Heavy parts load on first use, inside the handlers. */
export const channelRoutes: AgentRoutes = [...telegramRoutes]
