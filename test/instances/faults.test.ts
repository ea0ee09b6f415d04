import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {TRANSITIONAL_STATES} from '../../src/contract/instances.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {collectSse, readSse} from '../helpers/sse.js'
import {tempDir} from '../helpers/tmp.js'
import {agentPid, apiCall, instanceProcesses, waitFor} from './support.js'

/** A long dev answer: the reply echoes the message, in deltas `--dev-delay` apart. */
const LONG_MESSAGE = 'tell me a long story about processes that die '.repeat(4).trim()

async function startMessage(url: string, user: TestUser, ref: string, sid: string): Promise<Response> {
  const res = await fetch(`${url}/v1/instances/${ref}/sessions/${sid}/messages`, {
    method: 'POST',
    headers: {authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json'},
    body: JSON.stringify({content: LONG_MESSAGE}),
  })
  expect(res.status).toBe(200)
  return res
}

/** Reads events up to the first text delta, leaving the stream open (a `for await` + break would close it). */
async function readUntilDelta(stream: ReturnType<typeof readSse>): Promise<any[]> {
  const events: any[] = []
  for (;;) {
    const next = await stream.next()
    if (next.done) return events
    events.push(next.value.data)
    if (next.value.data.type === 'text.delta') return events
  }
}

async function waitRunning(url: string, user: TestUser, ref: string) {
  return waitFor(`${ref} to run`, async () => {
    const row = (await apiCall(url, user, 'GET', `/v1/instances/${ref}`)).body
    if (row.state === 'failed') throw new Error(`${ref} failed: ${row.failure_reason}`)
    return row.state === 'running' ? row : undefined
  })
}

describe('kill -9 on an instance’s agent process (e2e)', () => {
  let server: ServerProcess
  let user: TestUser
  const api = (method: string, path: string, body?: unknown) => apiCall(server.url, user, method, path, body)

  beforeAll(async () => {
    server = await startServerProcess({args: ['--dev-delay', '100ms']})
    user = await newUser({url: server.url, adminSocket: join(server.dataDir, 'admin.sock')})
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('ends the open stream with a clear event, reports the instance failed with why, and the next request restarts it', async () => {
    const created = await api('POST', '/v1/instances', {name: 'crashy'})
    expect(created.status).toBe(202)
    const id = created.body.id as string
    await waitRunning(server.url, user, 'crashy')
    const session = await api('POST', '/v1/instances/crashy/sessions', {title: 'before the crash'})
    expect(session.status).toBe(201)

    const pid = agentPid(id)
    expect(pid, JSON.stringify(instanceProcesses(id))).toBeDefined()
    const stream = readSse(await startMessage(server.url, user, 'crashy', session.body.id))
    const events = await readUntilDelta(stream)
    expect(events.at(-1)).toMatchObject({type: 'text.delta'})
    process.kill(pid!, 'SIGKILL')
    for await (const e of stream) events.push(e.data)
    // Not a silently cut connection: the last event says what happened and what to do.
    expect(events.at(-1)).toMatchObject({type: 'error', code: 'instance_unavailable', hint: expect.stringMatching(/again/i)})

    const failed = await waitFor('the crash to be recorded', async () => {
      const row = (await api('GET', '/v1/instances/crashy')).body
      return row.state === 'failed' ? row : undefined
    })
    expect(failed.failure_reason).toMatch(/exited unexpectedly \(signal SIGKILL\)/)
    expect(failed.failure_reason).toMatch(/next request restarts it/)
    // Nothing of the sandbox is left behind (under bwrap: the monitor too).
    expect(instanceProcesses(id)).toEqual([])
    const logged = (await api('GET', '/v1/instances/crashy/events')).body.events
    expect(logged.at(-1)).toMatchObject({event: 'instance.crashed', detail: {reason: failed.failure_reason}})

    const shown = await runCli(['instance', 'show', 'crashy'], {env: {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli')}})
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toMatch(/state: +failed — The agent process exited unexpectedly \(signal SIGKILL\)/)

    // The next request restarts it, and what it held before the crash is still there.
    const listed = await api('GET', '/v1/instances/crashy/sessions')
    expect(listed.status, JSON.stringify(listed.body)).toBe(200)
    expect(listed.body.sessions.map((s: any) => s.title)).toContain('before the crash')
    const row = (await api('GET', '/v1/instances/crashy')).body
    expect(row).toMatchObject({state: 'running', failure_reason: null})
    const restarted = agentPid(id)
    expect(restarted).toBeDefined()
    expect(restarted).not.toBe(pid)
    expect((await api('GET', '/v1/instances/crashy/events')).body.events.at(-1)).toMatchObject({event: 'instance.resumed'})

    // And it answers in full again.
    const again = await collectSse(await startMessage(server.url, user, 'crashy', session.body.id))
    expect(again.at(-1)!.data).toMatchObject({type: 'message.end'})
  })
})

describe('kill -9 on the server in the middle of a create and a pause (e2e)', () => {
  const data = tempDir('clawd-fault-')
  let server: ServerProcess
  let user: TestUser
  const api = (method: string, path: string, body?: unknown) => apiCall(server.url, user, method, path, body)
  const args = ['--dev-delay', '200ms']

  beforeAll(async () => {
    server = await startServerProcess({args, dataDir: data.path})
    user = await newUser({url: server.url, adminSocket: join(server.dataDir, 'admin.sock')})
  })
  afterAll(async () => {
    await server?.stop()
    data.dispose()
  })

  it('after a restart nothing is stuck in a transitional state, no agent outlived the server, and both can be resumed or deleted', async () => {
    expect((await api('POST', '/v1/instances', {name: 'steady'})).status).toBe(202)
    const steady = await waitRunning(server.url, user, 'steady')
    const session = await api('POST', '/v1/instances/steady/sessions', {title: 'kept'})
    expect(session.status).toBe(201)

    // An open answer keeps the agent busy, so its graceful stop (and the pause) takes a while.
    const stream = readSse(await startMessage(server.url, user, 'steady', session.body.id))
    expect((await readUntilDelta(stream)).at(-1)).toMatchObject({type: 'text.delta'})
    const pausing = await api('POST', '/v1/instances/steady/pause')
    expect(pausing.status).toBe(202)
    expect(pausing.body.state).toBe('pausing')
    const creating = await api('POST', '/v1/instances', {name: 'newborn'})
    expect(creating.status).toBe(202)
    expect(creating.body.state).toBe('creating')
    await server.kill()
    const newborn = creating.body.id as string
    await (async () => {
      for await (const _ of stream);
    })().catch(() => {})

    // No agent process outlives the server that started it.
    await waitFor('every agent to die with the server', () => (instanceProcesses(steady.id).length + instanceProcesses(newborn).length === 0 ? true : undefined), 15_000)

    server = await startServerProcess({args, dataDir: data.path})
    const {instances} = (await api('GET', '/v1/instances')).body
    expect(instances.map((i: any) => i.name).sort()).toEqual(['newborn', 'steady'])
    for (const i of instances) expect(TRANSITIONAL_STATES, `${i.name} is ${i.state}`).not.toContain(i.state)
    const byName = Object.fromEntries(instances.map((i: any) => [i.name, i]))
    expect(byName.steady).toMatchObject({state: 'paused'})
    expect(byName.newborn).toMatchObject({state: 'failed', failure_reason: expect.stringMatching(/server stopped while this instance was being created.*Resume it/)})
    const reconciled = async (ref: string) =>
      (await api('GET', `/v1/instances/${ref}/events`)).body.events.filter((e: any) => e.event === 'instance.reconciled').map((e: any) => e.detail)
    expect(await reconciled('steady')).toEqual([{from: 'pausing', to: 'paused'}])
    expect(await reconciled('newborn')).toEqual([{from: 'creating', to: 'failed'}])

    // The half-created instance can be resumed into a whole one (storage and key pair included).
    const resumed = await api('POST', '/v1/instances/newborn/resume')
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202)
    await waitRunning(server.url, user, 'newborn')
    const key = await api('GET', '/v1/instances/newborn/public-key')
    expect(key.status, JSON.stringify(key.body)).toBe(200)
    expect((await api('GET', '/v1/instances/newborn/sessions')).status).toBe(200)

    // The one killed mid-pause resumes on the next request with its data, and deletes cleanly.
    const listed = await api('GET', '/v1/instances/steady/sessions')
    expect(listed.status, JSON.stringify(listed.body)).toBe(200)
    expect(listed.body.sessions.map((s: any) => s.title)).toContain('kept')
    const cli = await runCli(['instance', 'delete', 'steady', '--yes', '--json'], {
      env: {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(data.path, 'cli')},
    })
    expect(cli.code, cli.stderr).toBe(0)
    expect(json(cli)).toMatchObject({id: steady.id, deleted: true})
    expect(existsSync(join(data.path, 'instances', steady.id))).toBe(false)
    expect(instanceProcesses(steady.id)).toEqual([])
  })
})
