import {Socket} from 'node:net'
import {readInit} from './init.js'
import {startAgent, type RunningAgent} from './server.js'

/**
 * The agent process (one per instance, started by src/runtime/local-driver.ts): reads its init
 * line from stdin, serves its unix socket, and stops cleanly on SIGTERM. It exits when the server
 * that started it goes away (bwrap's --die-with-parent, or the lifeline pipe for plain processes).
 * Exit codes: 0 stopped, 1 crashed, 2 could not start.
 */
const STOP_GRACE_MS = 3000

process.umask(0o077)
let agent: RunningAgent | undefined
let stopping = false

async function stop(reason: string): Promise<void> {
  if (stopping) return
  stopping = true
  agent?.ctx.log('info', 'agent stopping', {reason})
  setTimeout(() => process.exit(0), STOP_GRACE_MS + 1000).unref()
  await agent?.close(STOP_GRACE_MS).catch(() => {})
  process.exit(0)
}

process.on('SIGTERM', () => void stop('SIGTERM'))
process.on('SIGINT', () => void stop('SIGINT'))
process.on('uncaughtException', (error) => {
  process.stderr.write(`clawd agent: uncaught error: ${error.stack ?? error.message}\n`)
  process.exit(1)
})

try {
  const {init, dataKey} = await readInit(process.stdin)
  process.stdin.destroy()
  agent = await startAgent(init, dataKey)
  dataKey.fill(0)
  if (init.lifeline_fd !== null && init.lifeline_fd !== undefined) {
    const lifeline = new Socket({fd: init.lifeline_fd, readable: true, writable: false})
    lifeline.on('data', () => {})
    lifeline.once('close', () => void stop('the server went away'))
    lifeline.once('error', () => void stop('the server went away'))
    lifeline.unref()
  }
} catch (error) {
  process.stderr.write(`clawd agent: could not start: ${(error as Error).message}\n`)
  process.exit(2)
}
