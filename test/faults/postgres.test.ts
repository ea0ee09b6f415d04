import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {keyFingerprint} from '../../src/crypto/fingerprint.js'
import {runCli} from '../helpers/cli.js'
import {startProviderServer, type ProviderServer} from '../helpers/provider-server.js'
import {expectProblem, type Answer} from '../security/http.js'
import {putKey} from '../security/world.js'
import {privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres} from './private-postgres.js'
import {runningInstance, startFaulty, type Faulty} from './support.js'

const SCHEMA = 'clawd_fault'
const skipReason = !process.env.CLAWD_TEST_DATABASE_URL ? 'CLAWD_TEST_DATABASE_URL is not set' : privatePostgresUnavailable()

/**
 * PostgreSQL goes away under a serving API. These tests stop and restart a private cluster of
 * their own (never the machine's shared one, which other suites use at the same time), so they
 * run only where PostgreSQL tests run at all (CLAWD_TEST_DATABASE_URL) and its binaries exist.
 */
describe.skipIf(skipReason)(`PostgreSQL restarts under a serving API${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let cluster: PrivatePostgres
  let provider: ProviderServer
  let f: Faulty

  beforeAll(async () => {
    cluster = await startPrivatePostgres()
    provider = await startProviderServer({fixture: 'anthropic/basic'})
    f = await startFaulty([
      '--database-url', cluster.url, '--database-schema', SCHEMA,
      '--provider-url', `anthropic=${provider.url}`, '--egress-allow', '127.0.0.1',
    ])
  }, 120_000)
  afterAll(async () => {
    await f?.stop().catch(() => {})
    await provider?.close()
    cluster?.dispose()
  })

  /** Polls (bounded) until the API answers this request with a success again. */
  async function recovered(method: string, path: string, body?: unknown): Promise<Answer> {
    const deadline = Date.now() + 30_000
    let last: Answer | undefined
    for (let i = 0; i < 300 && Date.now() < deadline; i++) {
      last = await f.api(method, path, {body, timeoutMs: 15_000}).catch(() => undefined)
      if (last && last.status < 400) return last
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`${method} ${path} did not recover: ${last?.status} ${last?.text.slice(0, 300)}`)
  }

  it('while PostgreSQL is down requests fail cleanly (5xx problems, /healthz 503, CLI exit 7), then recover without restarting the API', async () => {
    const pid = f.server.child.pid
    expect((await f.api('GET', '/v1/instances')).status).toBe(200)
    await cluster.stop()
    try {
      for (const [method, path, body] of [['GET', '/v1/me'], ['GET', '/v1/instances'], ['POST', '/v1/tokens', {name: 'during outage'}], ['GET', '/v1/logs']] as const) {
        const res = await f.api(method, path, {body, timeoutMs: 20_000})
        expectProblem(res, (s) => s >= 500, `${method} ${path} with PostgreSQL down`)
        expect(res.status, `${method} ${path}: the store being down is unavailability, not a bug`).toBe(503)
      }
      const health = await f.api('GET', '/healthz', {timeoutMs: 20_000})
      expect(health.status).toBe(503)
      const cli = await runCli(['instance', 'list'], {env: {CLAWD_API_URL: f.server.url, CLAWD_TOKEN: f.user.accessToken}})
      expect(cli.code, cli.stderr).toBe(7)
      expect(cli.stderr).toMatch(/Hint: /)
      expect(f.server.child.exitCode, 'the API process died').toBeNull()
    } finally {
      await cluster.start()
    }
    await recovered('GET', '/v1/instances')
    expect((await recovered('POST', '/v1/tokens', {name: 'after outage'})).status).toBe(201)
    expect((await f.api('GET', '/healthz')).status).toBe(200)
    expect(f.server.child.pid).toBe(pid)
    expect(f.server.child.exitCode).toBeNull()
  })

  it('a restart while requests keep coming: every answer is a success or a clean problem, and all succeed afterwards', async () => {
    const answers: Answer[] = []
    let stop = false
    const load = (async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        const res = await f.api(i % 2 ? 'GET' : 'POST', i % 2 ? '/v1/instances' : '/v1/tokens', {body: i % 2 ? undefined : {name: `load ${i}`}, timeoutMs: 20_000}).catch(
          (error: Error) => ({status: 0, headers: {}, text: error.message, body: undefined}) as Answer,
        )
        answers.push(res)
        await new Promise((r) => setTimeout(r, 20))
      }
    })()
    await new Promise((r) => setTimeout(r, 300))
    await cluster.restart()
    await new Promise((r) => setTimeout(r, 1000))
    stop = true
    await load
    expect(answers.length).toBeGreaterThan(5)
    for (const res of answers) {
      expect(res.status, `no answer at all: ${res.text}`).not.toBe(0)
      if (res.status >= 400) expectProblem(res, (s) => s >= 500, 'during the restart')
    }
    await recovered('GET', '/v1/instances')
    // Revoke the tokens the load made (an account holds at most 100).
    for (const t of (await f.api('GET', '/v1/tokens')).body.tokens) await f.api('DELETE', `/v1/tokens/${t.id}`)
    expect(f.server.child.exitCode).toBeNull()
  })

  it('keys set cut off after the instance stored the key but before the API recorded it: after a restart keys set works again', async () => {
    const created = await f.api('POST', '/v1/instances', {body: {name: 'locked', model: 'anthropic/claude-test'}})
    expect(created.status, created.text).toBe(202)
    const id = created.body.id as string
    await runningInstance(f, id)
    const first = `sk-ant-pg-first-${Date.now().toString(36)}-0123456789`
    await putKey(f.server, f.user.accessToken, id, 'anthropic', first)

    // Reads of the keys table go through, writes wait: the API gets as far as the instance, then blocks.
    const cut = `sk-ant-pg-cut-${Date.now().toString(36)}-0123456789`
    expect(await killWhileKeysWriteWaits(() => putKey(f.server, f.user.accessToken, id, 'anthropic', cut), 'the key upload')).toBeInstanceOf(Error)

    // Nothing was acknowledged, so the listed key may stay the first one; but the user must be
    // able to set the key again, and the instance must then use exactly what was set.
    const listed = (await f.api('GET', `/v1/instances/${id}/keys`)).body.keys
    expect(listed).toEqual([expect.objectContaining({name: 'anthropic', fingerprint: keyFingerprint(first)})])
    await runningInstance(f, id)
    const again = `sk-ant-pg-again-${Date.now().toString(36)}-0123456789`
    const set = await putKey(f.server, f.user.accessToken, id, 'anthropic', again).catch((e: Error) => e)
    expect(set, `keys set after the interrupted one: ${set instanceof Error ? set.message : ''}`).not.toBeInstanceOf(Error)
    const sid = (await f.api('POST', `/v1/instances/${id}/sessions`, {body: {}})).body.id
    const answer = await f.api('POST', `/v1/instances/${id}/sessions/${sid}/messages`, {body: {content: 'hi'}, timeoutMs: 60_000})
    expect(answer.text).toContain('message.end')
    expect(provider.requests.at(-1)!.headers['x-api-key']).toBe(again)
  })

  /** Holds a write lock on the keys table while `start()` runs, until the API waits on it; then SIGKILLs and restarts the server. */
  async function killWhileKeysWriteWaits(start: () => Promise<unknown>, what = 'the request'): Promise<unknown> {
    const locker = new pg.Client({connectionString: cluster.url})
    await locker.connect()
    let locked = true
    const unlock = async () => {
      if (!locked) return
      locked = false
      await locker.query('ROLLBACK').catch(() => {})
      await locker.end().catch(() => {})
    }
    try {
      await locker.query('BEGIN')
      await locker.query(`LOCK TABLE ${SCHEMA}.instance_keys IN EXCLUSIVE MODE`)
      const cut = start().catch((e: Error) => e)
      expect(await writeBlocked(locker, cut), `${what} never reached the database write`).toBe(true)
      await f.killAndRestart(unlock)
      return await cut
    } finally {
      await unlock()
    }
  }

  it('issue 16 item 5: killed between the instance storing (or removing) a key and the database recording it, keys list and the instance agree after the restart', async () => {
    const created = await f.api('POST', '/v1/instances', {body: {name: 'window', model: 'anthropic/claude-test'}})
    expect(created.status, created.text).toBe(202)
    const id = created.body.id as string
    await runningInstance(f, id)
    const usedKey = async () => {
      const sid = (await f.api('POST', `/v1/instances/${id}/sessions`, {body: {}})).body.id
      const answer = await f.api('POST', `/v1/instances/${id}/sessions/${sid}/messages`, {body: {content: 'hi'}, timeoutMs: 60_000})
      expect(answer.status, answer.text).toBe(200)
      return {text: answer.text, key: answer.text.includes('message.end') ? provider.requests.at(-1)!.headers['x-api-key'] : undefined}
    }
    const first = `sk-ant-window-first-${Date.now().toString(36)}-0123456789`
    await putKey(f.server, f.user.accessToken, id, 'anthropic', first)

    // keys set: the instance stored the new key, the database never recorded it.
    const cut = `sk-ant-window-cut-${Date.now().toString(36)}-0123456789`
    expect(await killWhileKeysWriteWaits(() => putKey(f.server, f.user.accessToken, id, 'anthropic', cut))).toBeInstanceOf(Error)
    const listed = (await f.api('GET', `/v1/instances/${id}/keys`)).body.keys
    expect(listed).toEqual([expect.objectContaining({name: 'anthropic', version: 1, fingerprint: keyFingerprint(first)})])
    await runningInstance(f, id)
    // What `keys list` shows is what the instance uses: the unacknowledged key is gone.
    expect((await usedKey()).key).toBe(first)

    // keys delete: the instance removed the key, the database still lists it (the delete was not acknowledged).
    const del = await killWhileKeysWriteWaits(() => f.api('DELETE', `/v1/instances/${id}/keys/anthropic`, {timeoutMs: 30_000}))
    expect(del).toBeInstanceOf(Error)
    expect((await f.api('GET', `/v1/instances/${id}/keys`)).body.keys).toEqual([expect.objectContaining({fingerprint: keyFingerprint(first)})])
    await runningInstance(f, id)
    expect((await usedKey()).key).toBe(first)

    // And both work again: set, then delete, with the instance following each.
    const again = `sk-ant-window-again-${Date.now().toString(36)}-0123456789`
    await putKey(f.server, f.user.accessToken, id, 'anthropic', again)
    expect((await usedKey()).key).toBe(again)
    expect((await f.api('DELETE', `/v1/instances/${id}/keys/anthropic`)).status).toBe(200)
    expect((await f.api('GET', `/v1/instances/${id}/keys`)).body.keys).toEqual([])
    expect((await usedKey()).text).toContain('no_key')
  })
})

/**
 * Watches until a write waits on the lock the test holds on instance_keys (true), or the request
 * that should make it has settled without reaching it (false): no fixed clock.
 */
async function writeBlocked(locker: pg.Client, request: Promise<unknown>): Promise<boolean> {
  let settled = false
  void request.finally(() => (settled = true))
  for (;;) {
    const [row] = (
      await locker.query(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace s ON s.oid = c.relnamespace
          WHERE NOT l.granted AND c.relname = 'instance_keys' AND s.nspname = $1`,
        [SCHEMA],
      )
    ).rows
    if (row.n > 0) return true
    if (settled) return false
    await new Promise((r) => setTimeout(r, 100))
  }
}
