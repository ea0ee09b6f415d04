import {randomBytes} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {telegramWebhookPath} from '../../src/contract/channels.js'
import {encodeByokAad} from '../../src/crypto/byok-aad.js'
import {keyFingerprint} from '../../src/crypto/fingerprint.js'
import {decodePublicKey, sealKey} from '../../src/crypto/hpke.js'
import {type FakeTelegram, startFakeTelegram} from '../../src/dev/fake-telegram.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli, type CliResult} from '../helpers/cli.js'
import {startTestServer} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {allBytes} from '../runtime/helpers.js'
import {type ModelStandIn, startModelStandIn} from './model-stand-in.js'

type Server = Awaited<ReturnType<typeof startTestServer>>

/**
 * Telegram as a channel, end to end: the built CLI adds a bot whose token is sealed on "the user's
 * machine", the real server and a real agent process answer updates that a local fake of the Bot
 * API posts to the webhook, and the fake records every Bot API call the instance makes.
 */
describe('Telegram channel (e2e against a fake Bot API)', () => {
  const canary = `7${randomBytes(4).readUInt32BE()}:AAcanary${randomBytes(16).toString('hex')}`
  const otherToken = `8${randomBytes(4).readUInt32BE()}:AAother${randomBytes(16).toString('hex')}`
  const quotaToken = `9${randomBytes(4).readUInt32BE()}:AAquota${randomBytes(16).toString('hex')}`
  const longText = Array.from({length: 100}, (_, i) => `${String(i).padStart(3, '0')}:${'x'.repeat(95)}\n`).join('')
  let tg: FakeTelegram
  let model: ModelStandIn
  let server: Server
  let owner: TestUser
  let other: TestUser
  let frugal: TestUser
  let ownerInstance: string
  let otherInstance: string
  let frugalInstance: string
  /** Every API and CLI answer the test saw, for the canary check. */
  const seen: string[] = []
  const alice = {id: 4242001, username: 'alice', first_name: 'Alice'}
  const bob = {id: 4242002, username: 'bob', first_name: 'Bob'}

  const api = async (user: TestUser, method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: {authorization: `Bearer ${user.accessToken}`, ...(body ? {'content-type': 'application/json'} : {})},
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    seen.push(text)
    return {status: res.status, body: text ? JSON.parse(text) : undefined}
  }
  const cli = async (user: TestUser, args: string[], input?: string): Promise<CliResult> => {
    const result = await runCli(args, {env: {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: tempDir('clawd-cli-').path}, input, timeoutMs: 90_000})
    seen.push(result.stdout, result.stderr)
    return result
  }
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
    const deadline = Date.now() + ms
    for (;;) {
      const value = await probe()
      if (value !== undefined) return value
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const stateOf = async (user: TestUser, id: string) => (await api(user, 'GET', `/v1/instances/${id}`)).body.state as string
  const createRunning = async (user: TestUser, name: string) => {
    const created = await api(user, 'POST', '/v1/instances', {name, model: 'anthropic/claude-test'})
    expect(created.status, JSON.stringify(created.body)).toBe(202)
    await waitFor(`${name} to run`, async () => ((await stateOf(user, created.body.id)) === 'running' ? true : undefined))
    const key = await cli(user, ['keys', 'set', 'anthropic', '-i', created.body.id], `sk-ant-test-${randomBytes(6).toString('hex')}`)
    expect(key.code, key.stderr).toBe(0)
    return created.body.id as string
  }
  const textsTo = (token: string, chatId: number) => tg.sent.filter((m) => m.token === token && m.chat_id === String(chatId)).map((m) => m.text)
  /** Waits for `n` messages to that chat from that bot, and returns them. */
  const messagesTo = (token: string, chatId: number, n: number) => tg.waitFor(() => (textsTo(token, chatId).length >= n ? textsTo(token, chatId) : undefined), 60_000)

  beforeAll(async () => {
    tg = await startFakeTelegram({
      bots: [
        {token: canary, id: 7001, username: 'clawd_canary_bot'},
        {token: otherToken, id: 7002, username: 'other_bot'},
        {token: quotaToken, id: 7003, username: 'frugal_bot'},
      ],
    })
    model = await startModelStandIn(longText)
    server = await startTestServer((c) => {
      c.providerBaseUrls.anthropic = model.url
      // The model's port only: the fake Bot API must be reached through the channel's own allowance.
      c.egressAllow.push(new URL(model.url).host)
      c.plans.free = {messagesPerDay: 2, concurrentStreams: 2}
      c.plans.pro = {messagesPerDay: 1000, concurrentStreams: 4}
    })
    owner = await newUser(server)
    other = await newUser(server)
    frugal = await newUser(server)
    await server.ctx.db.asSystem((q) => q.query(`UPDATE users SET plan = 'pro' WHERE id = ANY($1)`, [[owner.userId, other.userId]]))
    ;[ownerInstance, otherInstance, frugalInstance] = await Promise.all([createRunning(owner, 'home'), createRunning(other, 'elsewhere'), createRunning(frugal, 'frugal')])
  }, 240_000)
  afterAll(async () => {
    await server?.dispose()
    await tg?.close()
    await model?.close()
  })

  it('`channels add telegram` checks the token (getMe), seals it, and the instance registers the webhook', async () => {
    const added = await cli(owner, ['channels', 'add', 'telegram', '-i', ownerInstance, '--telegram-api-url', tg.url, '--json'], canary + '\n')
    expect(added.code, added.stderr).toBe(0)
    expect(json(added)).toMatchObject({kind: 'telegram', bot_username: 'clawd_canary_bot', dm_policy: 'pairing', api_url: tg.url, version: 1})
    expect(added.stderr).toContain('@clawd_canary_bot')
    const hook = tg.webhook(canary)
    expect(hook?.url).toBe(server.url + telegramWebhookPath(ownerInstance))
    expect(hook?.secret_token).toMatch(/^[A-Za-z0-9]{48}$/)
    // getMe from the CLI, then getMe and setWebhook from the instance.
    expect(tg.calls.filter((c) => c.token === canary).map((c) => c.method)).toEqual(['getMe', 'getMe', 'setWebhook'])

    const list = await cli(owner, ['channels', 'list', '-i', ownerInstance])
    expect(list.stdout).toMatch(/telegram\s+@clawd_canary_bot\s+pairing/)

    // The other two, for the tenancy and quota tests.
    const b = await cli(other, ['channels', 'add', 'telegram', '-i', otherInstance, '--telegram-api-url', tg.url], otherToken)
    expect(b.code, b.stderr).toBe(0)
    const f = await cli(frugal, ['channels', 'add', 'telegram', '-i', frugalInstance, '--telegram-api-url', tg.url, '--dm-policy', 'allowlist', '--allow-from', String(bob.id)], quotaToken)
    expect(f.code, f.stderr).toBe(0)
  })

  it('refuses a bad token before sealing anything, and `open` without --yes', async () => {
    const bad = await cli(owner, ['channels', 'add', 'telegram', '-i', ownerInstance, '--telegram-api-url', tg.url], '123:AAnotavalidtokenatallxxxxxxxx')
    expect(bad.code).toBe(4)
    expect(bad.stderr).toMatch(/Telegram does not know this bot token/)
    const open = await cli(owner, ['channels', 'add', 'telegram', '-i', ownerInstance, '--telegram-api-url', tg.url, '--dm-policy', 'open'], canary)
    expect(open.code).toBe(2)
    expect(open.stderr).toMatch(/--yes/)
  })

  it('an unknown sender gets a pairing code and nothing reaches the model; after approval they get the answer', async () => {
    const calls = model.requests.length
    const first = await tg.deliver(canary, tg.dm(alice, 'hello agent'))
    expect(first.status).toBe(200)
    const [pairing] = await messagesTo(canary, alice.id, 1)
    const code = /pairing code is ([A-Z2-9]{8})/.exec(pairing!)?.[1]
    expect(code, pairing).toBeDefined()
    expect(model.requests.length).toBe(calls)
    const sessions = await api(owner, 'GET', `/v1/instances/${ownerInstance}/sessions`)
    expect(sessions.body.sessions).toEqual([])

    const pending = json(await cli(owner, ['channels', 'pairing', 'list', '-i', ownerInstance, '--json']))
    expect(pending.requests).toEqual([expect.objectContaining({code, user_id: String(alice.id), username: 'alice'})])

    const approved = await cli(owner, ['channels', 'pairing', 'approve', code!.toLowerCase(), '-i', ownerInstance])
    expect(approved.code, approved.stderr).toBe(0)
    await messagesTo(canary, alice.id, 2) // "You are paired"

    const started = performance.now()
    expect((await tg.deliver(canary, tg.dm(alice, 'what is 2+2?'))).status).toBe(200)
    const texts = await messagesTo(canary, alice.id, 3)
    expect(texts[2]).toBe('Answer to: what is 2+2?')
    expect(model.requests.length).toBe(calls + 1)
    expect(tg.calls.some((c) => c.token === canary && c.method === 'sendChatAction' && c.params.action === 'typing')).toBe(true)
    console.log(`[latency] webhook → first sendMessage, running instance: ${(tg.sent.at(-1)!.at - started).toFixed(0)} ms`)

    const listed = await cli(owner, ['sessions', 'list', '-i', ownerInstance])
    expect(listed.stdout).toMatch(/Telegram chat: @alice\s+telegram/)
  })

  it('a redelivered update_id gets no second answer', async () => {
    const update = tg.dm(alice, 'only once please')
    expect((await tg.deliver(canary, update)).status).toBe(200)
    expect((await tg.deliver(canary, update)).status).toBe(200)
    expect((await tg.deliver(canary, tg.dm(alice, 'and then this'))).status).toBe(200)
    await tg.waitFor(() => textsTo(canary, alice.id).includes('Answer to: and then this') || undefined)
    expect(textsTo(canary, alice.id).filter((t) => t === 'Answer to: only once please')).toHaveLength(1)
  })

  it('a 10,000-character answer arrives as three messages, in order', async () => {
    const before = textsTo(canary, alice.id).length
    expect((await tg.deliver(canary, tg.dm(alice, 'LONG answer please'))).status).toBe(200)
    const texts = (await messagesTo(canary, alice.id, before + 3)).slice(before)
    expect(longText).toHaveLength(10_000)
    expect(texts).toHaveLength(3)
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(4096)
    expect(texts.join('')).toBe(longText)
  })

  it('in groups it answers only when mentioned, and without MEMORY.md', async () => {
    const pushed = await api(owner, 'PUT', `/v1/instances/${ownerInstance}/workspace`, {files: [{path: 'MEMORY.md', content: 'The owner likes green tea.'}]})
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200)
    const group = {id: -100777, title: 'Tea club'}
    const calls = model.requests.length
    expect((await tg.deliver(canary, tg.groupMessage(group, alice, 'chatting among ourselves'))).status).toBe(200)
    expect((await tg.deliver(canary, tg.groupMessage(group, alice, '@clawd_canary_bot what do I like?'))).status).toBe(200)
    const [answer] = await messagesTo(canary, group.id, 1)
    expect(answer).toBe('Answer to: what do I like?')
    expect(model.requests.length).toBe(calls + 1)
    expect(model.requests.at(-1)!.system).not.toContain('green tea')
    // The same workspace in a private chat does load it.
    expect((await tg.deliver(canary, tg.dm(alice, 'and in private?'))).status).toBe(200)
    await tg.waitFor(() => textsTo(canary, alice.id).includes('Answer to: and in private?') || undefined)
    expect(model.requests.at(-1)!.system).toContain('green tea')
    const sessions = (await api(owner, 'GET', `/v1/instances/${ownerInstance}/sessions`)).body.sessions as Array<{title: string; channel?: string}>
    expect(sessions.map((s) => [s.title, s.channel]).sort()).toEqual([
      ['Telegram chat: @alice', 'telegram'],
      ['Telegram group: Tea club', 'telegram'],
    ])
  })

  it('forged webhooks (wrong, missing, another instance’s secret) get 401, and nothing reaches any agent', async () => {
    const paused = await api(owner, 'POST', `/v1/instances/${ownerInstance}/pause`)
    expect(paused.status).toBeLessThan(300)
    await waitFor('pause', async () => ((await stateOf(owner, ownerInstance)) === 'paused' ? true : undefined))
    const callsBefore = tg.calls.length
    const modelBefore = model.requests.length
    const mine = tg.webhook(canary)!
    const theirs = tg.webhook(otherToken)!
    const post = (url: string, secret: string | undefined, update: unknown) =>
      fetch(url, {method: 'POST', headers: {'content-type': 'application/json', ...(secret === undefined ? {} : {'x-telegram-bot-api-secret-token': secret})}, body: JSON.stringify(update)})
    const update = tg.dm(alice, 'forged')
    const wrong = mine.secret_token!.slice(0, -1) + (mine.secret_token!.endsWith('a') ? 'b' : 'a')
    for (const [secret, url] of [[wrong, mine.url], [undefined, mine.url], ['', mine.url], [theirs.secret_token, mine.url], [mine.secret_token, theirs.url]] as const) {
      const res = await post(url, secret, update)
      seen.push(await res.text())
      expect(res.status, `secret ${secret === undefined ? 'missing' : '…'}`).toBe(401)
    }
    expect(tg.calls.length).toBe(callsBefore)
    expect(model.requests.length).toBe(modelBefore)
    // Nothing was resumed either.
    expect(await stateOf(owner, ownerInstance)).toBe('paused')
    expect(await stateOf(other, otherInstance)).toBe('running')
  })

  it('a paused instance is resumed by an update and answers', async () => {
    expect(await stateOf(owner, ownerInstance)).toBe('paused')
    const started = performance.now()
    expect((await tg.deliver(canary, tg.dm(alice, 'wake up'))).status).toBe(200)
    await tg.waitFor(() => textsTo(canary, alice.id).includes('Answer to: wake up') || undefined)
    const first = tg.sent.find((m) => m.token === canary && m.text === 'Answer to: wake up')!
    console.log(`[latency] webhook → first sendMessage, paused instance: ${(first.at - started).toFixed(0)} ms`)
    expect(await stateOf(owner, ownerInstance)).toBe('running')
  })

  it('free-plan daily limits count channel messages: one notice with the reset time, then silence', async () => {
    const calls = model.requests.length
    expect((await tg.deliver(quotaToken, tg.dm(bob, 'one'))).status).toBe(200)
    await messagesTo(quotaToken, bob.id, 1)
    // An unknown sender under allowlist is refused silently and costs no quota.
    expect((await tg.deliver(quotaToken, tg.dm(alice, 'let me in'))).status).toBe(200)
    expect((await tg.deliver(quotaToken, tg.dm(bob, 'two'))).status).toBe(200)
    await messagesTo(quotaToken, bob.id, 2)
    expect(model.requests.length).toBe(calls + 2)
    // The CLI's own messages share the same count.
    const sid = (await api(frugal, 'POST', `/v1/instances/${frugalInstance}/sessions`, {})).body.id
    const refused = await api(frugal, 'POST', `/v1/instances/${frugalInstance}/sessions/${sid}/messages`, {content: 'from the CLI'})
    expect(refused.status).toBe(429)

    expect((await tg.deliver(quotaToken, tg.dm(bob, 'three'))).status).toBe(200)
    const texts = await messagesTo(quotaToken, bob.id, 3)
    const resets = /after (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC/.exec(texts[2]!)?.[1]
    expect(resets, texts[2]).toBeDefined()
    expect(Date.parse(resets!.replace(' ', 'T') + 'Z')).toBeGreaterThan(Date.now())
    expect((await tg.deliver(quotaToken, tg.dm(bob, 'four'))).status).toBe(200)
    expect((await tg.deliver(quotaToken, tg.dm(bob, 'five'))).status).toBe(200)
    // The webhook answers after the agent decided, so "four" and "five" are settled by now.
    expect(textsTo(quotaToken, bob.id)).toHaveLength(3)
    expect(textsTo(quotaToken, alice.id)).toHaveLength(0)
    expect(model.requests.length).toBe(calls + 2)
  })

  it('another user cannot list, remove or pair on your channel (404)', async () => {
    const base = `/v1/instances/${ownerInstance}/channels`
    expect((await api(other, 'GET', base)).status).toBe(404)
    expect((await api(other, 'DELETE', `${base}/telegram`)).status).toBe(404)
    expect((await api(other, 'GET', `${base}/telegram/pairing`)).status).toBe(404)
    expect((await api(other, 'POST', `${base}/telegram/pairing/approve`, {code: 'ABCDEFGH'})).status).toBe(404)
    expect((await api(other, 'POST', `${base}/telegram/pairing/deny`, {code: 'ABCDEFGH'})).status).toBe(404)
    const viaCliPair = await cli(other, ['channels', 'pairing', 'approve', 'ABCDEFGH', '-i', ownerInstance])
    expect(viaCliPair.code).toBe(3)
    const viaCli = await cli(other, ['channels', 'remove', 'telegram', '-i', ownerInstance, '--yes'])
    expect(viaCli.code).toBe(3)
    // Still there for its owner.
    expect((await api(owner, 'GET', base)).body.channels).toHaveLength(1)
  })

  it('refuses a provider-key ciphertext as a channel token, and a token re-pointed at another Bot API server', async () => {
    const pub = (await api(owner, 'GET', `/v1/instances/${ownerInstance}/public-key`)).body
    const current = (await api(owner, 'GET', `/v1/instances/${ownerInstance}/channels`)).body.channels[0]
    const seal = async (aad: Parameters<typeof encodeByokAad>[0]) => ({
      kid: pub.kid,
      ...(await sealKey({publicKey: decodePublicKey(pub.public_key), kid: pub.kid, aad: encodeByokAad(aad), plaintext: Buffer.from(canary)})),
      fingerprint: keyFingerprint(canary),
      bot: {id: 7001, username: 'clawd_canary_bot'},
    })
    const version = current.version + 1
    const fields = {userId: owner.userId, instanceId: ownerInstance, keyName: 'telegram', baseUrl: tg.url, version}
    const asKey = await api(owner, 'PUT', `/v1/instances/${ownerInstance}/channels/telegram`, {...(await seal(fields)), version, api_url: tg.url})
    expect(asKey.status).toBe(400)
    expect(asKey.body.code).toBe('validation_failed')
    const elsewhere = await api(owner, 'PUT', `/v1/instances/${ownerInstance}/channels/telegram`, {...(await seal({...fields, kind: 'channel'})), version, api_url: 'http://127.0.0.1:9/'})
    expect(elsewhere.status).toBe(400)
    const stale = await api(owner, 'PUT', `/v1/instances/${ownerInstance}/channels/telegram`, {...(await seal({...fields, version: current.version, kind: 'channel'})), version: current.version, api_url: tg.url})
    expect(stale.status).toBe(409)
    expect((await api(owner, 'GET', `/v1/instances/${ownerInstance}/channels`)).body.channels[0].version).toBe(current.version)
  })

  it('remove deletes the webhook at Telegram, and the old secret is refused after', async () => {
    const hook = tg.webhook(canary)!
    const removed = await cli(owner, ['channels', 'remove', 'telegram', '-i', ownerInstance, '--yes', '--json'])
    expect(removed.code, removed.stderr).toBe(0)
    expect(tg.webhook(canary)).toBeUndefined()
    const res = await fetch(hook.url, {method: 'POST', headers: {'content-type': 'application/json', 'x-telegram-bot-api-secret-token': hook.secret_token!}, body: JSON.stringify(tg.dm(alice, 'late'))})
    expect(res.status).toBe(401)
    expect((await api(owner, 'GET', `/v1/instances/${ownerInstance}/channels`)).body.channels).toEqual([])
  })

  it('the canary token is absent from the database, the logs, every response and the data dir; only the fake Bot API saw it, in the path', async () => {
    const dump = await server.ctx.db.asSystem(async (q) => {
      const tables = await q.query<{name: string}>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
      let text = ''
      for (const {name} of tables) text += (await q.query<{row: string}>(`SELECT t::text AS row FROM "${name}" t`)).map((r) => r.row).join('\n')
      return text
    })
    expect(dump).toContain('other_bot') // the dump is real
    const secretsPart = (token: string) => token.split(':')[1]!
    for (const token of [canary, otherToken, quotaToken]) {
      expect(dump.includes(secretsPart(token)), 'token in the database').toBe(false)
      expect(server.logs().includes(secretsPart(token)), 'token in the logs').toBe(false)
      expect(seen.join('\n').includes(secretsPart(token)), 'token in a response').toBe(false)
      expect(allBytes(server.dataDir).includes(Buffer.from(secretsPart(token))), 'token in the data dir').toBe(false)
    }
    // `export --all` carries the channel's metadata, and nothing secret.
    const exported = await api(other, 'GET', '/v1/account/export')
    expect(exported.status).toBe(200)
    expect(exported.body.instances[0].channels).toEqual([expect.objectContaining({kind: 'telegram', bot_username: 'other_bot', dm_policy: 'pairing'})])
    // The webhook secret is stored only as a peppered hash.
    const webhookSecret = tg.webhook(otherToken)!.secret_token!
    expect(dump.includes(webhookSecret) || server.logs().includes(webhookSecret) || allBytes(server.dataDir).includes(Buffer.from(webhookSecret))).toBe(false)
    expect(server.logs()).toContain('telegram update')
    const withCanary = tg.calls.filter((c) => c.token === canary)
    expect(withCanary.map((c) => c.method)).toEqual(expect.arrayContaining(['getMe', 'setWebhook', 'sendMessage', 'sendChatAction', 'deleteWebhook']))
    for (const c of tg.calls) expect(JSON.stringify(c.params).includes(secretsPart(canary))).toBe(false)
  })
})
