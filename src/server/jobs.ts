import {authSweeperJob} from './auth/sweeper.js'
import type {RunningServer} from './main.js'
import {accessLogSweeperJob} from './observability/log-sweeper.js'

/**
 * Background jobs `server start` runs beside the API (sweepers, reconcilers). Each later module
 * adds its own here; tests pass the ones they need to startServer directly.
 */
export function serverBackgroundJobs(): Array<(server: RunningServer) => Promise<void> | void> {
  return [authSweeperJob, accessLogSweeperJob]
}
