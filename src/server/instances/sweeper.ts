import type {RunningServer} from '../main.js'

/**
 * Pauses idle instances and removes abandoned ones, every sweep interval. Each run is bounded
 * (the queries take at most 50 rows) and errors are logged, never fatal: the next run retries.
 */
export function startInstanceSweeper(server: RunningServer): void {
  const {ctx} = server
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    void sweepOnce(server)
      .catch((error) => ctx.log.error({err: {message: (error as Error).message}}, 'instance sweep failed'))
      .finally(() => (running = false))
  }, ctx.config.instances.sweepIntervalMs)
  timer.unref()
  ctx.onClose.push(async () => clearInterval(timer))
}

export async function sweepOnce(server: Pick<RunningServer, 'ctx'>): Promise<{paused: number; removed: number}> {
  const removed = await server.ctx.instances.removeAbandoned()
  const paused = await server.ctx.instances.pauseIdle()
  return {paused, removed}
}
