import {connect} from 'node:net'
import type {ToolLaunchRequest, ToolLaunchResult} from '../../contract/tool-launch.js'
import type {ToolLaunch} from './sandbox-runner.js'
import type {BoundedRun} from './tool-sandbox.js'

/**
 * Asks the host's tool launcher (src/runtime/tool-launcher.ts, the server's side of
 * /run/clawd/tools.sock) to run a call as the instance's tool uid: the agent cannot switch uid
 * itself. The launcher builds the sandbox and bounds from its own copy of the instance's limits;
 * the agent only names the call directory and the command. Closing the connection cancels it.
 */
export function hostLaunch(opts: {socket: string; gid: number; proxyPort?: () => Promise<number | undefined>}): ToolLaunch {
  return {
    sharedGid: opts.gid,
    async run(call, signal) {
      const proxyPort = (await opts.proxyPort?.()) ?? null
      const request: ToolLaunchRequest = {call: call.name, workdir: call.workdir, command: call.command, timeoutMs: call.timeoutMs, proxyPort}
      return ask(opts.socket, request, signal)
    },
  }
}

function ask(socketPath: string, request: ToolLaunchRequest, signal: AbortSignal): Promise<BoundedRun> {
  return new Promise((resolve) => {
    const ended = (fields: Partial<BoundedRun>): BoundedRun => ({exitCode: null, signal: null, timedOut: false, cancelled: false, output: Buffer.alloc(0), outputBytes: 0, ...fields})
    const failed = (why: string) => ended({failure: why})
    const socket = connect(socketPath)
    let answer = ''
    const onAbort = () => socket.destroy()
    signal.addEventListener('abort', onAbort, {once: true})
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      signal.removeEventListener('abort', onAbort)
      if (signal.aborted) return resolve(ended({cancelled: true}))
      let result: ToolLaunchResult
      try {
        result = JSON.parse(answer) as ToolLaunchResult
      } catch {
        return resolve(failed('the host tool launcher did not answer'))
      }
      if (result.failure) return resolve(failed(result.failure))
      resolve(ended({exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, output: Buffer.from(result.output, 'base64'), outputBytes: result.outputBytes}))
    })
    // Written, not ended: the launcher reads the end of this connection as a cancel.
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'))
    if (signal.aborted) onAbort()
  })
}
