import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Agent, fetch as undiciFetch} from 'undici'
import {afterAll, beforeAll} from 'vitest'
import type {AgentFetch} from '../../src/agent/context.js'
import {startAgent, type RunningAgent} from '../../src/agent/server.js'
import type {Toolbox} from '../../src/agent/tools/types.js'
import {INSTANCE_SECRET_HEADER} from '../../src/contract/agent-header.js'
import {inProcessInit} from '../helpers/agent.js'

/**
 * An agent in this process, on a socket in a temp dir: started before the suite's tests, closed
 * after them. `api` calls its routes as the gateway does (with the instance secret). `toolbox`
 * replaces its own tools (e.g. a MemoryToolbox); `fetch` its egress (e.g. to a recorded provider).
 */
export function useInProcessAgent(opts: {toolbox?: Toolbox; fetch?: AgentFetch} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'clawd-agent-'))
  const secret = randomBytes(24).toString('base64url')
  const socketPath = join(dir, 'agent.sock')
  const dispatcher = new Agent({connect: {socketPath}})
  let agent: RunningAgent | undefined

  beforeAll(async () => {
    agent = await startAgent(inProcessInit('ins_inproc', dir, secret), randomBytes(32), {log: () => {}, ...(opts.fetch ? {fetch: opts.fetch} : {})})
    if (opts.toolbox) agent.ctx.toolbox = opts.toolbox
  })
  afterAll(async () => {
    await agent?.close(100)
    await dispatcher.close()
    rmSync(dir, {recursive: true, force: true})
  })

  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    undiciFetch(`http://agent${path}`, {
      method,
      dispatcher,
      headers: {[INSTANCE_SECRET_HEADER]: secret, ...(body === undefined ? {} : {'content-type': 'application/json'}), ...headers},
      body: body === undefined ? undefined : JSON.stringify(body),
    }) as unknown as Promise<Response>
  return {api, agent: () => agent!}
}
