import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from 'vitest'
import {TRANSITIONAL_STATES} from '../../src/contract/instances.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {call, type Answer, type CallOptions} from '../security/http.js'

/** The admin socket and URL of a server process, as the auth helpers want them. */
export const adminOf = (s: ServerProcess) => ({url: s.url, adminSocket: join(s.dataDir, 'admin.sock')})

export interface Faulty {
  server: ServerProcess
  user: TestUser
  api(method: string, path: string, opts?: Omit<CallOptions, 'token'>): Promise<Answer>
  /**
   * SIGKILL the server, then start a new one on the same data dir with the same flags. Resolves
   * with everything the killed server printed (its request log shows what was in flight).
   */
  killAndRestart(beforeRestart?: () => Promise<void>): Promise<string>
  stop(): Promise<void>
}

/** A `clawd server start` subprocess and one user, restartable on the same data dir. */
export async function startFaulty(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Faulty> {
  const first = await startServerProcess({args, env})
  const user = await newUser(adminOf(first))
  const f: Faulty = {
    server: first,
    user,
    api: (method, path, opts = {}) => call(f.server.url, method, path, {...opts, token: user.accessToken}),
    async killAndRestart(beforeRestart) {
      await f.server.kill()
      const said = f.server.output()
      await beforeRestart?.()
      f.server = await startServerProcess({args, env, dataDir: f.server.dataDir})
      return said
    },
    stop: async () => void (await f.server.stop()),
  }
  return f
}

/** Waits (bounded) until the instance is running, resuming it once if it is paused or failed. */
export async function runningInstance(f: Faulty, ref: string): Promise<void> {
  const deadline = Date.now() + 60_000
  let resumed = false
  for (let i = 0; i < 600 && Date.now() < deadline; i++) {
    const res = await f.api('GET', `/v1/instances/${ref}`)
    expect(res.status, res.text).toBe(200)
    if (res.body.state === 'running') return
    if ((res.body.state === 'paused' || res.body.state === 'failed') && !resumed) {
      const r = await f.api('POST', `/v1/instances/${ref}/resume`)
      expect(r.status, r.text).toBe(202)
      resumed = true
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`instance ${ref} did not become running in time`)
}

export function expectSettled(state: string, what: string): void {
  expect(TRANSITIONAL_STATES as readonly string[], `${what} is left ${state}`).not.toContain(state)
}

/** Host pids of agent processes serving this instance (process or bwrap mode), from /proc. */
export function agentPids(instanceId: string): number[] {
  const pids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let cmdline = ''
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8')
    } catch {
      continue
    }
    if (cmdline.includes('agent/main.js') && cmdline.includes(instanceId)) pids.push(Number(name))
  }
  return pids
}

/** Waits (bounded) until no agent process of this instance is left. */
export async function noAgentLeft(instanceId: string, timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  let left = agentPids(instanceId)
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
    left = agentPids(instanceId)
  }
  return left
}
