import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {collectSse, readSse} from '../helpers/sse.js'
import {agentPid, apiCall, dumpDatabase, instanceProcesses, lifecycleEvents, waitFor} from './support.js'

const IDLE_MS = 2000
const RETENTION_MS = 15_000
const SWEEP_MS = 500
const DEV_DELAY_MS = 200

/**
 * Idle instances pause by themselves, a request for a paused one resumes it without the caller
 * doing anything, an open answer stream is never paused under it, and an instance nobody uses
 * for the retention period is deleted for good. One real server with short timeouts; the tests
 * run in order (the last one stops the server to read its database).
 */
describe('idle pause, transparent resume and retention (e2e)', () => {
  let server: ServerProcess
  let user: TestUser
  /** Created first and never used again: the retention test's subject. */
  let forgotten: {id: string; pauses_at: string; removes_at: string}
  let sleepy: any
  const api = (method: string, path: string, body?: unknown) => apiCall(server.url, user, method, path, body)
  const cli = (args: string[]) =>
    runCli(args, {env: {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli')}})
  const stateOf = async (ref: string) => (await api('GET', `/v1/instances/${ref}`)).body.state as string
  const eventsOf = async (ref: string) => (await api('GET', `/v1/instances/${ref}/events`)).body.events as Array<{event: string; at: string; detail: any}>

  beforeAll(async () => {
    server = await startServerProcess({
      args: [
        ...['--idle-timeout', `${IDLE_MS}ms`, '--retention', `${RETENTION_MS}ms`, '--sweep-interval', `${SWEEP_MS}ms`],
        ...['--dev-delay', `${DEV_DELAY_MS}ms`, '--max-instances', '5', '--max-running', '5'],
      ],
    })
    user = await newUser({url: server.url, adminSocket: join(server.dataDir, 'admin.sock')})
    const created = await api('POST', '/v1/instances', {name: 'forgotten'})
    expect(created.status, JSON.stringify(created.body)).toBe(202)
    forgotten = await waitFor('forgotten to run', async () => {
      const row = (await api('GET', `/v1/instances/${created.body.id}`)).body
      return row.state === 'running' ? row : undefined
    })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('a running instance nobody uses pauses by itself, and show tells when', async () => {
    const created = await cli(['instance', 'create', 'sleepy', '--wait', '--json'])
    expect(created.code, created.stderr).toBe(0)
    sleepy = json(created)
    expect(sleepy.state).toBe('running')
    const last = Date.parse(sleepy.last_active_at)
    expect(Date.parse(sleepy.pauses_at) - last).toBe(IDLE_MS)
    expect(Date.parse(sleepy.removes_at) - last).toBe(RETENTION_MS)

    await waitFor('sleepy to pause by itself', async () => ((await stateOf('sleepy')) === 'paused' ? true : undefined))
    const paused = (await eventsOf('sleepy')).filter((e) => e.event === 'instance.paused')
    expect(paused).toEqual([expect.objectContaining({detail: {reason: 'idle'}})])
    // The sweeper acted only once the idle timeout had passed.
    expect(Date.parse(paused[0]!.at)).toBeGreaterThanOrEqual(Date.parse(sleepy.pauses_at))
    // Paused means the process is gone, not just a flag.
    expect(instanceProcesses(sleepy.id)).toEqual([])

    const shown = await cli(['instance', 'show', 'sleepy', '--json'])
    expect(shown.code, shown.stderr).toBe(0)
    const view = json(shown)
    expect(view).toMatchObject({state: 'paused', pauses_at: null})
    // Pausing is not activity: the removal date still counts from the last real use.
    expect(view.last_active_at).toBe(sleepy.last_active_at)
    expect(Date.parse(view.removes_at) - Date.parse(view.last_active_at)).toBe(RETENTION_MS)
  })

  it('the next request resumes a paused instance by itself and succeeds', async () => {
    expect(await stateOf('sleepy')).toBe('paused')
    const listed = await api('GET', '/v1/instances/sleepy/sessions')
    expect(listed.status, JSON.stringify(listed.body)).toBe(200)
    expect(listed.body).toEqual({sessions: [], next_cursor: null})

    const row = (await api('GET', '/v1/instances/sleepy')).body
    expect(['running', 'pausing', 'paused']).toContain(row.state)
    expect(Date.parse(row.last_active_at)).toBeGreaterThan(Date.parse(sleepy.last_active_at))
    const names = (await eventsOf('sleepy')).map((e) => e.event)
    expect(names.slice(names.indexOf('instance.paused'))).toContain('instance.resumed')

    // A chat message to a paused instance: resumed, answered in full, nothing asked of the caller.
    const session = await api('POST', '/v1/instances/sleepy/sessions', {})
    expect(session.status, JSON.stringify(session.body)).toBe(201)
    await waitFor('sleepy to pause again', async () => ((await stateOf('sleepy')) === 'paused' ? true : undefined))
    const res = await fetch(`${server.url}/v1/instances/sleepy/sessions/${session.body.id}/messages`, {
      method: 'POST',
      headers: {authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json'},
      body: JSON.stringify({content: 'wake up'}),
    })
    expect(res.status).toBe(200)
    const events = await collectSse(res)
    expect(events.at(-1)!.data).toMatchObject({type: 'message.end', stop_reason: 'end_turn'})
    const text = events.filter((e) => e.data.type === 'text.delta').map((e) => e.data.text).join('')
    expect(text).toContain('You said: "wake up"')
    expect(agentPid(sleepy.id)).toBeDefined()
  })

  it('an instance with an answer streaming is not paused mid-answer', async () => {
    const session = await api('POST', '/v1/instances/sleepy/sessions', {})
    expect(session.status).toBe(201)
    // A long message makes a long dev answer: about 25 deltas, DEV_DELAY_MS apart.
    const content = 'please keep talking for a while '.repeat(6).trim()
    const began = Date.now()
    const res = await fetch(`${server.url}/v1/instances/sleepy/sessions/${session.body.id}/messages`, {
      method: 'POST',
      headers: {authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json'},
      body: JSON.stringify({content}),
    })
    expect(res.status).toBe(200)
    const seen = new Set<string>()
    const events: any[] = []
    for await (const e of readSse(res)) {
      events.push(e.data)
      seen.add(await stateOf('sleepy'))
    }
    const ended = Date.now()
    // The stream outlived the idle timeout several sweeps over, so a pause would have hit it.
    expect(ended - began).toBeGreaterThan(IDLE_MS + 2 * SWEEP_MS)
    expect(events.at(-1)).toMatchObject({type: 'message.end', stop_reason: 'end_turn'})
    expect(events.filter((e) => e.type === 'text.delta').map((e) => e.text).join('')).toContain('please keep talking')
    expect([...seen]).toEqual(['running'])
    const pausedDuring = (await eventsOf('sleepy')).filter((e) => e.event === 'instance.paused' && Date.parse(e.at) >= began && Date.parse(e.at) <= ended)
    expect(pausedDuring).toEqual([])

    // Once the answer is over and nobody uses it, it does pause: the sweeper was running all along.
    await waitFor('sleepy to pause after the answer', async () => ((await stateOf('sleepy')) === 'paused' ? true : undefined))
  })

  it('an instance unused past the retention is deleted for good, and the account log says so', async () => {
    await waitFor('the forgotten instance to be removed', async () => ((await api('GET', `/v1/instances/${forgotten.id}`)).status === 404 ? true : undefined), 60_000, 250)
    expect((await api('GET', '/v1/instances/forgotten/sessions')).status).toBe(404)
    expect(existsSync(join(server.dataDir, 'instances', forgotten.id))).toBe(false)
    expect(existsSync(join(server.dataDir, 'egress', forgotten.id))).toBe(false)
    expect(instanceProcesses(forgotten.id)).toEqual([])
    // The instance used since is still there: retention counts from the last use.
    expect((await api('GET', '/v1/instances/sleepy')).status).toBe(200)

    expect(await server.stop()).toBe(0)
    const dump = await dumpDatabase(server.dataDir)
    expect((dump.instances ?? []).map((r) => r.id)).not.toContain(forgotten.id)
    const events = lifecycleEvents(dump, forgotten.id)
    expect(events.map((e) => e.event)).toEqual(['instance.created', 'instance.started', 'instance.paused', 'instance.removed_inactive'])
    expect(events[2]!.detail).toEqual({reason: 'idle'})
    expect(events[3]!.detail).toEqual({name: 'forgotten'})
    // Each happened only once its date, as `show` reported it, had come.
    expect(new Date(events[2]!.at).getTime()).toBeGreaterThanOrEqual(Date.parse(forgotten.pauses_at))
    expect(new Date(events[3]!.at).getTime()).toBeGreaterThanOrEqual(Date.parse(forgotten.removes_at))
  })
})
