import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'

/** The instance verbs end to end: the built CLI as a subprocess against `clawd server start`. */
describe('clawd instance (e2e)', () => {
  let server: ServerProcess
  let alice: TestUser
  let bob: TestUser
  const as = (user: TestUser) => ({env: {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli-' + user.email)}})

  beforeAll(async () => {
    server = await startServerProcess({args: ['--max-instances', '3', '--max-running', '2']})
    const admin = {url: server.url, adminSocket: join(server.dataDir, 'admin.sock')}
    alice = await newUser(admin)
    bob = await newUser(admin)
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('creates, lists, shows, pauses, resumes and deletes, with --json and exit codes', async () => {
    const created = await runCli(['instance', 'create', 'alpha', '--wait', '--json'], as(alice))
    expect(created.code, created.stderr).toBe(0)
    const instance = json(created)
    expect(instance).toMatchObject({name: 'alpha', state: 'running'})
    expect(instance.id).toMatch(/^ins_[a-z2-7]{20}$/)
    expect(instance.isolation.mode).toMatch(/^(bwrap|process)$/)
    expect(existsSync(join(server.dataDir, 'instances', instance.id))).toBe(true)

    const listed = json(await runCli(['instance', 'list', '--json'], as(alice)))
    expect(listed.instances.map((i: any) => i.name)).toEqual(['alpha'])

    const shown = json(await runCli(['instance', 'show', 'alpha', '--json'], as(alice)))
    expect(shown.id).toBe(instance.id)
    expect(Date.parse(shown.pauses_at)).toBeGreaterThan(Date.parse(shown.last_active_at))
    expect(Date.parse(shown.removes_at) - Date.parse(shown.last_active_at)).toBe(30 * 86_400_000)

    const paused = await runCli(['instance', 'pause', instance.id, '--wait', '--json'], as(alice))
    expect(paused.code, paused.stderr).toBe(0)
    expect(json(paused).state).toBe('paused')

    const resumed = await runCli(['instance', 'resume', 'alpha', '--wait', '--json'], as(alice))
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(json(resumed).state).toBe('running')

    const events = json(await runCli(['instance', 'logs', 'alpha', '--json'], as(alice)))
    expect(events.events.map((e: any) => e.event)).toEqual(
      expect.arrayContaining(['instance.created', 'instance.started', 'instance.paused', 'instance.resumed']),
    )

    const refused = await runCli(['instance', 'delete', 'alpha'], as(alice))
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/--yes/)
    expect(json(await runCli(['instance', 'show', 'alpha', '--json'], as(alice))).state).toBe('running')

    const deleted = await runCli(['instance', 'delete', 'alpha', '--yes', '--json'], as(alice))
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(json(deleted)).toEqual({id: instance.id, name: 'alpha', deleted: true})
    expect(existsSync(join(server.dataDir, 'instances', instance.id))).toBe(false)

    const gone = await runCli(['instance', 'show', instance.id, '--json'], as(alice))
    expect(gone.code).toBe(3)
    expect(json(gone).error.code).toBe('not_found')
    const again = await runCli(['instance', 'delete', instance.id, '--yes'], as(alice))
    expect(again.code).toBe(3)
  })

  it('names are unique per user and DNS-label-like', async () => {
    const bad = await runCli(['instance', 'create', 'Not_A_Label', '--json'], as(alice))
    expect(bad.code).toBe(2)
    expect(json(bad).error.message).toMatch(/name/)
    expect((await runCli(['instance', 'create', 'dup', '--json'], as(alice))).code).toBe(0)
    const dup = await runCli(['instance', 'create', 'dup', '--json'], as(alice))
    expect(dup.code).toBe(5)
    // Another user may use the same name.
    expect((await runCli(['instance', 'create', 'dup', '--json'], as(bob))).code).toBe(0)
  })

  it('every verb on another user’s instance, by id or by name, is not found (never forbidden)', async () => {
    const bobs = json(await runCli(['instance', 'show', 'dup', '--json'], as(bob)))
    for (const ref of [bobs.id, 'dup-does-not-exist']) {
      for (const args of [['show', ref], ['pause', ref], ['resume', ref], ['logs', ref], ['delete', ref, '--yes']]) {
        const res = await runCli(['instance', ...args, '--json'], as(alice))
        expect(res.code, `${args.join(' ')}: ${res.stdout} ${res.stderr}`).toBe(3)
        expect(json(res).error.code).toBe('not_found')
      }
    }
    // Bob's instance is untouched.
    expect(json(await runCli(['instance', 'show', bobs.id, '--json'], as(bob))).state).not.toBe('deleting')
    const status = await fetch(`${server.url}/v1/instances/${bobs.id}`, {headers: {authorization: `Bearer ${alice.accessToken}`}})
    expect(status.status).toBe(404)
  })

  it('quotas: a fourth instance, or a third running one, exits 6 with what to do', async () => {
    // alice has "dup" running; two more reach max-instances 3 but max-running 2.
    expect((await runCli(['instance', 'create', 'two', '--wait', '--json'], as(alice))).code).toBe(0)
    const third = await runCli(['instance', 'create', 'three', '--json'], as(alice))
    expect(third.code).toBe(6)
    expect(json(third).error.hint).toMatch(/pause/i)
    expect((await runCli(['instance', 'pause', 'two', '--wait'], as(alice))).code).toBe(0)
    expect((await runCli(['instance', 'create', 'three', '--wait', '--json'], as(alice))).code).toBe(0)
    const fourth = await runCli(['instance', 'create', 'four', '--json'], as(alice))
    expect(fourth.code).toBe(6)
    expect(json(fourth).error.hint).toMatch(/delete/i)
    const resumeOverQuota = await runCli(['instance', 'resume', 'two'], as(alice))
    expect(resumeOverQuota.code).toBe(6)
    expect(resumeOverQuota.stderr).toMatch(/Hint: .*pause/i)
  })

  it('no token is a 401 and the CLI says to log in (exit 4)', async () => {
    expect((await fetch(`${server.url}/v1/instances`)).status).toBe(401)
    const res = await runCli(['instance', 'list'], {env: {CLAWD_API_URL: server.url, CLAWD_CONFIG_DIR: join(server.dataDir, 'nobody')}})
    expect(res.code).toBe(4)
    expect(res.stderr).toMatch(/login/)
  })
})
