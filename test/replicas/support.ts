import {randomBytes} from 'node:crypto'
import {expect} from 'vitest'
import {newUser, type TestUser} from '../helpers/auth.js'
import {startServerProcess, storeArgs, type ServerProcess} from '../helpers/server.js'
import {openTestStore, postgresUrl, type TestStore} from '../helpers/stores.js'
import {adminOf} from '../faults/support.js'
import {call, type Answer, type CallOptions} from '../security/http.js'
import {runCli, type CliOptions} from '../helpers/cli.js'
import {parseSse} from '../helpers/sse.js'

/** A replica is gone after this much silence here (the default is 15 s). */
export const GONE_AFTER = '2s'

export interface Cluster {
  store: TestStore
  servers: ServerProcess[]
  masterKey: string
  args: string[]
  user: TestUser
  /** A request to replica `i` as the cluster's user. */
  api(i: number, method: string, path: string, opts?: Omit<CallOptions, 'token'>): Promise<Answer>
  /** The built CLI as the cluster's user, against replica `i`. */
  cli(i: number, args: string[], opts?: CliOptions): ReturnType<typeof runCli>
  /** Replica i's replica id (from its data dir). */
  replicaId(i: number): string
  restart(i: number): Promise<void>
  stop(): Promise<void>
}

export const skipWithoutPostgres = !postgresUrl

/**
 * Three `clawd server start` processes on one PostgreSQL schema, each with its own data dir and
 * an internal listener, sharing the master key as replicas must.
 */
export async function startCluster(extra: string[] = [], n = 3): Promise<Cluster> {
  const store = await openTestStore('postgres')
  const masterKey = randomBytes(32).toString('hex')
  const args = [...storeArgs(store), '--internal-port', '0', '--replica-gone-after', GONE_AFTER, ...extra]
  const env = {CLAWD_MASTER_KEY: masterKey}
  const servers: ServerProcess[] = []
  for (let i = 0; i < n; i++) servers.push(await startServerProcess({args, env}))
  const user = await newUser(adminOf(servers[0]!))
  const { readFileSync } = await import('node:fs')
  const c: Cluster = {
    store,
    servers,
    masterKey,
    args,
    user,
    api: (i, method, path, opts = {}) => call(c.servers[i]!.url, method, path, {...opts, token: user.accessToken}),
    cli: (i, argv, opts = {}) =>
      runCli(argv, {...opts, env: {CLAWD_API_URL: c.servers[i]!.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: `${c.servers[0]!.dataDir}/cli`, ...opts.env}}),
    replicaId: (i) => readFileSync(`${c.servers[i]!.dataDir}/replica-id`, 'utf8').trim(),
    async restart(i) {
      const old = c.servers[i]!
      c.servers[i] = await startServerProcess({args, env, dataDir: old.dataDir})
    },
    async stop() {
      await Promise.all(c.servers.map((s) => s.stop().catch(() => {})))
      await store.dispose()
    },
  }
  return c
}

/** Polls replica `via` until the instance reads `want` (bounded). */
export async function waitState(c: Cluster, via: number, ref: string, want: string, timeoutMs = 60_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs
  let last: Answer | undefined
  while (Date.now() < deadline) {
    last = await c.api(via, 'GET', `/v1/instances/${ref}`)
    expect(last.status, last.text).toBe(200)
    if (last.body.state === want) return last
    if (last.body.state === 'failed' && want !== 'failed') throw new Error(`instance failed: ${last.text}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`instance ${ref} did not become ${want} through replica ${via}: ${last?.text}`)
}

/** Sends one message through replica `via` and reads the whole answer. */
export async function chat(c: Cluster, via: number, ref: string, sid: string, content: string): Promise<{types: string[]; text: string}> {
  const res = await c.api(via, 'POST', `/v1/instances/${ref}/sessions/${sid}/messages`, {body: {content}, timeoutMs: 60_000})
  expect(res.status, res.text).toBe(200)
  const events = parseSse(res.text).map((e) => e.data)
  return {types: events.map((e) => e.type), text: events.filter((e) => e.type === 'text.delta').map((e) => e.text).join('')}
}
