import {expect} from 'vitest'
import {apiFor} from '../../src/cli/kit/http/api.js'
import {ApiClient} from '../../src/cli/kit/http/api-client.js'
import {sealAndUpload} from '../../src/cli/keys/byok.js'
import {HttpTransport} from '../../src/cli/kit/http/transport.js'
import type {KeyMetadata} from '../../src/contract/keys.js'
import type {ServerConfig} from '../../src/server/config.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'
import {call, type Answer, type CallOptions} from './http.js'

/** A clock the test can move forward (token expiry) and back. */
export class MovableClock {
  offsetMs = 0
  now = () => Date.now() + this.offsetMs
}

/** What one user owns in the world, by the ids the API hands out. */
export interface Owned {
  user: TestUser
  /** A personal API token (its id and the token itself). */
  pat: {id: string; token: string}
  instance: {id: string; name: string}
  session: {id: string; messageId: string}
  keyName: string
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>

export interface World {
  server: TestServer
  clock: MovableClock
  alice: Owned
  bob: Owned
  api(token: string | undefined, method: string, path: string, opts?: Omit<CallOptions, 'token'>): Promise<Answer>
  /** Everything a user can see of their own data, minus the fields that move on every read. */
  snapshot(who: Owned): Promise<unknown>
  dispose(): Promise<void>
}

const TIMEOUT = 60_000

/** Waits (bounded) until the instance is running. */
export async function waitRunning(api: World['api'], token: string, ref: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT
  for (let i = 0; Date.now() < deadline && i < 600; i++) {
    const res = await api(token, 'GET', `/v1/instances/${ref}`)
    if (res.body?.state === 'running') return
    if (res.body?.state === 'failed') throw new Error(`instance ${ref} failed: ${res.body.failure_reason}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`instance ${ref} did not start in time`)
}

/**
 * Seals a key to the instance and uploads it with the CLI's own code (`clawd keys set`), so the
 * AAD and version rules are the real ones. Resolves with the stored key's metadata.
 */
export async function putKey(server: {url: string}, token: string, instanceId: string, name: string, secret: string, baseUrl?: string): Promise<KeyMetadata> {
  const client = new ApiClient(server.url, new HttpTransport({userAgent: 'clawd-security-test', sleep: async () => {}}), {
    token: async () => token,
    refresh: async () => false,
  })
  return sealAndUpload(apiFor(client), {instanceId, name, key: secret, baseUrl})
}

/** Sends one message and reads the SSE answer to its end; returns the assistant message id. */
export async function sendMessage(api: World['api'], token: string, ref: string, sid: string, content: string): Promise<string> {
  const res = await api(token, 'POST', `/v1/instances/${ref}/sessions/${sid}/messages`, {body: {content}})
  expect(res.status, res.text).toBe(200)
  const mid = /"message_id":"(msg_[a-z2-7]{20})"/.exec(res.text)?.[1]
  expect(mid, res.text).toBeDefined()
  return mid!
}

async function own(api: World['api'], server: TestServer, label: string): Promise<Owned> {
  const user = await newUser(server, `${label}-${Date.now().toString(36)}@example.com`)
  const token = user.accessToken
  const pat = await api(token, 'POST', '/v1/tokens', {body: {name: `${label} ci`}})
  expect(pat.status, pat.text).toBe(201)
  const name = `${label}-box`
  const created = await api(token, 'POST', '/v1/instances', {body: {name}})
  expect(created.status, created.text).toBe(202)
  const id = created.body.id as string
  await waitRunning(api, token, id)
  const session = await api(token, 'POST', `/v1/instances/${id}/sessions`, {body: {title: `${label}'s talk`}})
  expect(session.status, session.text).toBe(201)
  const messageId = await sendMessage(api, token, id, session.body.id, `hello from ${label}`)
  const keyName = 'anthropic'
  await putKey(server, token, id, keyName, `sk-${label}-not-a-real-key-0123456789`)
  return {user, pat: {id: pat.body.id, token: pat.body.token}, instance: {id, name}, session: {id: session.body.id, messageId}, keyName}
}

/** Drops what changes on every read (activity times), keeping what a user owns. */
function stable(value: unknown): unknown {
  const drop = new Set(['last_active_at', 'pauses_at', 'removes_at', 'last_used_at'])
  if (Array.isArray(value)) return value.map(stable)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !drop.has(k)).map(([k, v]) => [k, stable(v)]))
  }
  return value
}

/**
 * A server with two users, alice and bob, each owning one of everything the API has ids for:
 * an API token, a running instance, a session with a message, and a sealed key.
 */
export async function startWorld(tweak: (config: ServerConfig) => void = () => {}): Promise<World> {
  const clock = new MovableClock()
  const server = await startTestServer((config) => {
    config.plans.free = {messagesPerDay: 10_000, concurrentStreams: 4}
    config.instances.maxPerUser = 2
    config.instances.maxRunningPerUser = 2
    tweak(config)
  }, {clock})
  const api: World['api'] = (token, method, path, opts = {}) => call(server.url, method, path, {...opts, token})
  try {
    const [alice, bob] = await Promise.all([own(api, server, 'alice'), own(api, server, 'bob')])
    const snapshot = async (who: Owned) => {
      const t = who.user.accessToken
      const ref = who.instance.id
      const parts = await Promise.all([
        api(t, 'GET', '/v1/me'),
        api(t, 'GET', '/v1/tokens'),
        api(t, 'GET', '/v1/instances'),
        api(t, 'GET', `/v1/instances/${ref}/keys`),
        api(t, 'GET', `/v1/instances/${ref}/sessions`),
        api(t, 'GET', `/v1/instances/${ref}/sessions/${who.session.id}`),
        api(t, 'GET', `/v1/instances/${ref}/workspace`),
      ])
      for (const p of parts) expect(p.status, p.text).toBe(200)
      return stable(parts.map((p) => p.body))
    }
    return {server, clock, alice, bob, api, snapshot, dispose: () => server.dispose()}
  } catch (error) {
    await server.dispose()
    throw error
  }
}
