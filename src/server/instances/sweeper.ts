import type {Job} from '../job-runner.js'
import {startJob} from '../job-runner.js'
import type {RunningServer} from '../main.js'

/**
 * Pauses idle instances and removes abandoned ones, every sweep interval. Each replica sweeps the
 * instances it holds. Each run is bounded (the queries take at most 50 rows) and errors are
 * logged, never fatal: the next run retries.
 */
export function instanceSweepJob(server: Pick<RunningServer, 'ctx'>): Job {
  return {
    name: 'instance-sweep',
    periodMs: server.ctx.config.instances.sweepIntervalMs,
    scope: 'replica',
    failure: 'instance sweep failed',
    failureLevel: 'error',
    run: () => sweepOnce(server),
  }
}

/** Started by `startServer` for every server (tests included), stopped when it closes. */
export function startInstanceSweeper(server: RunningServer): void {
  startJob(server.ctx, instanceSweepJob(server))
}

export async function sweepOnce(server: Pick<RunningServer, 'ctx'>): Promise<{paused: number; removed: number}> {
  const removed = await server.ctx.instances.removeAbandoned()
  const paused = await server.ctx.instances.pauseIdle()
  return {paused, removed}
}
