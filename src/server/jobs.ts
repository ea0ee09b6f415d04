import {authSweepJob} from './auth/sweeper.js'
import {startJob} from './job-runner.js'
import type {RunningServer} from './main.js'
import {accessLogSweepJob} from './observability/log-sweeper.js'

/**
 * Background jobs `server start` runs beside the API (the instance sweeper and the replica
 * heartbeat start with every server, in startServer and joinReplicas). Tests pass the ones they
 * need to startServer directly.
 */
export function serverBackgroundJobs(): Array<(server: RunningServer) => Promise<void> | void> {
  return [
    (server) => {
      for (const job of [authSweepJob(server.ctx), accessLogSweepJob(server.ctx)]) startJob(server.ctx, job)
    },
  ]
}
