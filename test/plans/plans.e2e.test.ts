import {randomBytes} from 'node:crypto'
import {renameSync} from 'node:fs'
import {createConnection, createServer, type Socket} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {TOOL_NAMES} from '../../src/agent/tools/types.js'
import {ALLOWED_TOOLS_HEADER} from '../../src/contract/agent-header.js'
import {adminRequest, newUser, oauthPost, startDeviceLogin, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {startTestServer} from '../helpers/server.js'
import {collectSse} from '../helpers/sse.js'
import {csrfIn, PageClient} from '../auth/page-client.js'

/**
 * Plans end to end: operators set them (`server users create --plan`, `server users plan`) and
 * make invite codes that the real sign-up page redeems; the free plan refuses tool policies with
 * a stable code; and the header the real agent receives on each message carries exactly the
 * tools the plan and the policy allow.
 */
// Each test spawns several CLI processes; on a busy 2-core machine that takes a while.
describe('plans, invite codes and tool policies', {timeout: 150_000}, () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let clockOffsetMs = 0
  const taps: Array<{close(): Promise<void>}> = []

  beforeAll(async () => {
    // The header is the gateway's business, not the sandbox's: plain processes start faster.
    server = await startTestServer(
      (config) => {
        config.instances.sandbox = 'none'
      },
      {clock: {now: () => Date.now() + clockOffsetMs}},
    )
  })
  afterAll(async () => {
    // Kept-alive connections would hold a tap open: end them, then stop listening.
    for (const tap of taps) await tap.close()
    await server?.dispose()
  })

  const op = (args: string[], input?: string) => runCli([...args, '--data-dir', server.dataDir], {input})
  const as = (user: TestUser) => (args: string[]) =>
    runCli(args, {env: {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(server.dataDir, `cli-${user.userId}`)}})
  const api = async (user: TestUser, method: string, path: string, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: {authorization: `Bearer ${user.accessToken}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    })
  const planIn = async (email: string) =>
    (await server.ctx.db.asSystem((q) => q.query<{plan: string}>(`SELECT plan FROM users WHERE lower(email) = lower($1)`, [email])))[0]?.plan

  /** A login for an account that exists, the way newUser logs in (device grant approved by the operator). */
  async function loginAs(email: string, userId: string): Promise<TestUser> {
    const grant = await startDeviceLogin(server.url, 'clawd-test')
    const approved = await adminRequest(server.adminSocket, 'POST', '/admin/device/approve', {user_code: grant.user_code, email})
    expect(approved.status).toBe(200)
    const tokens = await oauthPost(`${server.url}/oauth/token`, {grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: grant.device_code, client_id: 'clawd-test'})
    expect(tokens.status).toBe(200)
    return {email, password: '', userId, accessToken: tokens.body.access_token, refreshToken: tokens.body.refresh_token}
  }

  /**
   * A transparent tap on the instance's unix socket: the real agent moves to another path and
   * every byte the gateway sends it passes through here first. Nothing is mocked: the agent
   * answers as always, and the test reads the request heads it was sent.
   */
  async function tapAgent(instanceId: string): Promise<() => Array<{method: string; path: string; headers: Record<string, string>}>> {
    const {socketPath} = server.ctx.instances.driver.connect(instanceId)
    const real = `${socketPath}.real`
    renameSync(socketPath, real)
    const streams: string[] = []
    const open = new Set<Socket>()
    const tap = createServer((client) => {
      const index = streams.push('') - 1
      const upstream = createConnection(real)
      for (const socket of [client, upstream]) {
        open.add(socket)
        socket.once('close', () => open.delete(socket))
      }
      client.on('data', (d) => (streams[index] += d.toString('latin1')))
      client.pipe(upstream).pipe(client)
      client.on('error', () => upstream.destroy())
      upstream.on('error', () => client.destroy())
    })
    await new Promise<void>((resolve) => tap.listen(socketPath, resolve))
    taps.push({close: () => new Promise<void>((resolve) => {
      tap.close(() => resolve())
      for (const socket of open) socket.destroy()
    })})
    // Connections the gateway already holds would bypass the tap: drop them.
    await server.ctx.instances.agents.forget(socketPath)
    return () =>
      streams.flatMap((s) =>
        [...s.matchAll(/(GET|POST|PUT|DELETE) (\S+) HTTP\/1\.1\r\n([\s\S]*?)\r\n\r\n/g)].map((m) => ({
          method: m[1]!,
          path: m[2]!,
          headers: Object.fromEntries(m[3]!.split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()])),
        })),
      )
  }

  async function sendMessage(user: TestUser, instanceId: string): Promise<void> {
    const session = await api(user, 'POST', `/v1/instances/${instanceId}/sessions`, {})
    expect(session.status).toBe(201)
    const sid = ((await session.json()) as {id: string}).id
    const res = await api(user, 'POST', `/v1/instances/${instanceId}/sessions/${sid}/messages`, {content: 'hello'})
    expect(res.status).toBe(200)
    const events = await collectSse(res)
    expect(events.at(-1)?.data.type).toBe('message.end')
  }

  const messageHeads = (heads: ReturnType<Awaited<ReturnType<typeof tapAgent>>>) => heads.filter((h) => h.method === 'POST' && /\/messages$/.test(h.path))

  it('a free account is chat only: tool policies are refused with the plan named, and its messages carry no tools', async () => {
    const alice = await newUser(server)
    const cli = as(alice)

    const refused = await cli(['instance', 'create', 'nope', '--tools', 'coding', '--json'])
    expect(refused.code).toBe(4)
    expect(JSON.parse(refused.stdout)).toMatchObject({error: {code: 'plan_forbids_tools', message: expect.stringContaining('free plan'), hint: expect.stringMatching(/operator|invite/)}})

    const created = await cli(['instance', 'create', 'chat', '--wait', '--json'])
    expect(created.code, created.stderr).toBe(0)
    const instance = json(created)
    expect(instance.tools).toEqual({profile: 'minimal', allow: [], deny: [], effective: []})
    expect(instance.plan).toEqual({name: 'free', messages_per_day: 50, concurrent_streams: 2, tools: false})

    for (const args of [['--profile', 'coding'], ['--profile', 'minimal', '--allow', 'read']]) {
      const set = await cli(['instance', 'tools', 'set', 'chat', ...args])
      expect(set.code).toBe(4)
      expect(set.stderr).toContain('The free plan is chat only')
      expect(set.stderr).toMatch(/operator|invite/)
    }
    // A policy that grants nothing is accepted.
    expect((await cli(['instance', 'tools', 'set', 'chat', '--profile', 'minimal', '--deny', 'exec'])).code).toBe(0)

    const shown = await cli(['instance', 'show', 'chat'])
    expect(shown.stdout).toMatch(/plan: +free: chat only \(no tools\), 50 messages a day/)
    expect(shown.stdout).toMatch(/tools: +none: the free plan is chat only/)
    const who = await cli(['whoami', '--json'])
    expect(json(who).plan).toEqual({name: 'free', messages_per_day: 50, concurrent_streams: 2, tools: false})
    expect((await cli(['whoami'])).stdout).toContain('Plan: free: chat only (no tools), 50 messages a day')

    const heads = await tapAgent(instance.id)
    await sendMessage(alice, instance.id)
    const sent = messageHeads(heads())
    expect(sent).toHaveLength(1)
    expect(sent[0]!.headers[ALLOWED_TOOLS_HEADER]).toBe('')
    // Requests that are not messages carry no tools header at all.
    expect(heads().filter((h) => !/\/messages$/.test(h.path)).every((h) => !(ALLOWED_TOOLS_HEADER in h.headers))).toBe(true)
  })

  it('a dedicated account’s messages carry exactly the policy’s tools, and none once it is moved to free', async () => {
    const email = `ded-${randomBytes(4).toString('hex')}@example.com`
    const created = await op(['server', 'users', 'create', '--email', email, '--plan', 'dedicated', '--json'], 'a-long-password')
    expect(created.code, created.stderr).toBe(0)
    expect(json(created)).toMatchObject({email, plan: 'dedicated'})
    const bob = await loginAs(email, json(created).id)
    const cli = as(bob)

    const made = await cli(['instance', 'create', 'coder', '--wait', '--json'])
    expect(made.code, made.stderr).toBe(0)
    const instance = json(made)
    expect(instance.tools).toEqual({profile: 'coding', allow: [], deny: [], effective: [...TOOL_NAMES]})
    expect(instance.plan).toMatchObject({name: 'dedicated', tools: true})

    const set = await cli(['instance', 'tools', 'set', 'coder', '--profile', 'coding', '--deny', 'group:runtime,web_fetch', '--json'])
    expect(set.code, set.stderr).toBe(0)
    expect(json(set).tools).toEqual({profile: 'coding', allow: [], deny: ['group:runtime', 'web_fetch'], effective: ['read', 'write', 'edit', 'memory_search', 'memory_get']})
    const shown = await cli(['instance', 'tools', 'show', 'coder'])
    expect(shown.stdout).toMatch(/tool policy: +coding, deny group:runtime, web_fetch/)
    expect(shown.stdout).toMatch(/tools: +read, write, edit, memory_search, memory_get/)

    const heads = await tapAgent(instance.id)
    await sendMessage(bob, instance.id)
    expect(messageHeads(heads()).map((h) => h.headers[ALLOWED_TOOLS_HEADER])).toEqual(['read,write,edit,memory_search,memory_get'])

    // The plan is read per message: moved to free, the same policy yields no tools.
    const moved = await op(['server', 'users', 'plan', email, 'free'])
    expect(moved.code, moved.stderr).toBe(0)
    expect(moved.stdout).toContain(`Moved ${email} from the dedicated plan to the free plan.`)
    await sendMessage(bob, instance.id)
    expect(messageHeads(heads()).map((h) => h.headers[ALLOWED_TOOLS_HEADER])).toEqual(['read,write,edit,memory_search,memory_get', ''])
    expect(json(await cli(['instance', 'show', 'coder', '--json'])).tools.effective).toEqual([])

    const back = await op(['server', 'users', 'plan', email, 'dedicated', '--json'])
    expect(json(back)).toMatchObject({email, plan: 'dedicated', previous_plan: 'free'})
    expect((await op(['server', 'users', 'plan', email, 'dedicated'])).stdout).toContain('already on the dedicated plan')
  })

  it('names unknown tools and groups and says what exists, in the CLI and in the API', async () => {
    const carol = await newUser(server)
    await op(['server', 'users', 'plan', carol.email, 'dedicated'])
    const cli = as(carol)
    expect((await cli(['instance', 'create', 'typo', '--json'])).code).toBe(0)

    const local = await cli(['instance', 'tools', 'set', 'typo', '--profile', 'coding', '--allow', 'bash'])
    expect(local.code).toBe(2)
    expect(local.stderr).toContain('unknown tool or group "bash"')
    expect(local.stderr).toContain('group:runtime')
    const profile = await cli(['instance', 'tools', 'set', 'typo', '--profile', 'full'])
    expect(profile.code).toBe(2)
    expect(profile.stderr).toMatch(/minimal, coding/)
    expect((await cli(['instance', 'create', 'x', '--tools', 'everything'])).code).toBe(2)

    const res = await api(carol, 'PUT', '/v1/instances/typo/tools', {profile: 'coding', deny: ['group:nothing']})
    expect(res.status).toBe(400)
    const problem = (await res.json()) as {code: string; detail: string}
    expect(problem.code).toBe('validation_failed')
    expect(problem.detail).toContain('"group:nothing"')
    expect(problem.detail).toContain('memory_search')
    expect((await api(carol, 'PUT', '/v1/instances/typo/tools', {profile: 'coding', allow: 'read'})).status).toBe(400)
  })

  it('operators get clear errors for bad plans and unknown accounts', async () => {
    const bad = await op(['server', 'users', 'plan', 'someone@example.com', 'gold'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/free, dedicated/)
    const missing = await op(['server', 'users', 'plan', 'ghost@example.com', 'dedicated', '--json'])
    expect(missing.code).toBe(3)
    expect(JSON.parse(missing.stdout).error.code).toBe('not_found')
    expect((await op(['server', 'users', 'create', '--email', 'x@example.com', '--plan', 'gold'], 'a-long-password')).code).toBe(2)
    expect((await op(['server', 'invites', 'create', '--expires', 'tomorrow'])).code).toBe(2)
    expect((await op(['server', 'invites', 'create', '--uses', '0'])).code).toBe(2)
    expect((await adminRequest(server.adminSocket, 'POST', '/admin/invites', {plan: 'gold'})).status).toBe(400)
    expect((await adminRequest(server.adminSocket, 'POST', '/admin/users/plan', {email: 'x@example.com', plan: 'free', admin: true})).status).toBe(400)
  })

  describe('invite codes on the sign-up page', () => {
    // Every sign-up POST here takes one of the 10 sign-ups an address gets per hour; 8 are used.
    const signUp = async (email: string, invite: string) => {
      const page = new PageClient(server.url)
      const form = await page.get('/signup')
      expect(form.text).toContain('name="invite"')
      return page.post('/signup', {csrf: csrfIn(form), email, password: 'a-long-password', next: '/device', invite})
    }
    const newInvite = async (args: string[] = []) => {
      const made = await op(['server', 'invites', 'create', ...args, '--json'])
      expect(made.code, made.stderr).toBe(0)
      return json(made) as {id: string; code: string; plan: string; max_uses: number; expires_at: string}
    }
    const fresh = () => `inv-${randomBytes(5).toString('hex')}@example.com`

    it('signs a new account up as dedicated, once; the code is printed once and stored only as an HMAC', async () => {
      const human = await op(['server', 'invites', 'create'])
      expect(human.code, human.stderr).toBe(0)
      expect(human.stderr).toMatch(/dedicated plan, one sign-up, expires .*not shown again/s)
      const code = human.stdout.trim()
      expect(code).toMatch(/^INV(-[A-Z2-9]{5}){4}$/)

      const first = fresh()
      const ok = await signUp(first, code.toLowerCase())
      expect(ok.status, ok.text).toBe(303)
      expect(await planIn(first)).toBe('dedicated')

      const second = fresh()
      const used = await signUp(second, code)
      expect(used.status).toBe(400)
      expect(used.text).toContain('This invite code has already been used.')
      expect(used.text).not.toContain(code)
      expect(await planIn(second)).toBeUndefined()

      const dump = JSON.stringify(await server.ctx.db.asSystem((q) => q.query(`SELECT * FROM invites`)))
      expect(dump).toContain('dedicated')
      expect(dump).not.toContain(code.replace(/^INV-/, '').replace(/-/g, ''))
      expect(dump).not.toContain(code.slice(4, 9))
      expect(server.logs()).not.toContain(code.slice(4, 9) + '-')
      // Request queries (the app role, under RLS) see no invite at all, for a user or for nobody.
      const newcomer = (await server.ctx.db.asSystem((q) => q.query<{id: string}>(`SELECT id FROM users WHERE email = $1`, [first])))[0]!.id
      expect(await server.ctx.db.asUser(newcomer, (q) => q.query(`SELECT * FROM invites`))).toEqual([])
      expect(await server.ctx.db.asUser(null, (q) => q.query(`SELECT * FROM invites`))).toEqual([])
      await expect(server.ctx.db.asUser(newcomer, (q) => q.query(`UPDATE invites SET uses = 0 RETURNING id`))).resolves.toEqual([])
    })

    it('refuses a wrong or expired code on the page and creates nothing', async () => {
      const wrongEmail = fresh()
      const wrong = await signUp(wrongEmail, 'INV-AAAAA-BBBBB-CCCCC-DDDDD')
      expect(wrong.status).toBe(400)
      expect(wrong.text).toContain('This invite code is not valid.')
      expect(wrong.headers.get('content-security-policy')).toContain("default-src 'none'")
      expect(await planIn(wrongEmail)).toBeUndefined()

      const soon = await newInvite(['--expires', '1m'])
      clockOffsetMs += 2 * 60_000
      const lateEmail = fresh()
      const late = await signUp(lateEmail, soon.code)
      expect(late.status).toBe(400)
      expect(late.text).toContain('This invite code has expired.')
      expect(await planIn(lateEmail)).toBeUndefined()
    })

    it('gives the use back when the sign-up fails, and never hands out more uses than the code has', async () => {
      const invite = await newInvite(['--uses', '2'])
      expect(invite).toMatchObject({plan: 'dedicated', max_uses: 2})
      const taken = await newUser(server)
      const clash = await signUp(taken.email, invite.code)
      expect(clash.status).toBe(409)
      expect(await planIn(taken.email)).toBe('free')

      const emails = [fresh(), fresh(), fresh()]
      const results = await Promise.all(emails.map((e) => signUp(e, invite.code)))
      expect(results.map((r) => r.status).sort()).toEqual([303, 303, 400])
      expect((await Promise.all(emails.map(planIn))).filter((p) => p === 'dedicated')).toHaveLength(2)

      // The operator sees each invite's state, never a code.
      const listed = await op(['server', 'invites', 'list', '--json'])
      expect(listed.code, listed.stderr).toBe(0)
      const invites = json(listed).invites as Array<{id: string; uses: number; max_uses: number; state: string}>
      expect(invites.find((i) => i.id === invite.id)).toMatchObject({uses: 2, max_uses: 2, state: 'used'})
      expect(invites.map((i) => i.state)).toContain('expired')
      expect(listed.stdout).not.toContain(invite.code.slice(4, 9))
      expect((await op(['server', 'invites', 'list'])).stdout).toMatch(new RegExp(`^${invite.id}\\s+dedicated\\s+2/2\\s+\\S+\\s+used$`, 'm'))
    })
  })
})
