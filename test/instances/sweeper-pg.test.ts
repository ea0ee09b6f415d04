import {randomBytes} from 'node:crypto'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import pino from 'pino'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createLocalDriver, type LocalDriver} from '../../src/runtime/local-driver.js'
import {deriveSubkey} from '../../src/crypto/kdf.js'
import {newId} from '../../src/ids.js'
import {defaultConfig} from '../../src/server/config.js'
import {type ServerCore, systemClock} from '../../src/server/core.js'
import {InstanceLifecycle} from '../../src/server/instances/lifecycle.js'
import {InstanceSweeps} from '../../src/server/instances/sweeps.js'
import {insertInstance} from '../../src/server/instances/repo.js'
import {mintDataKey} from '../../src/server/instances/secrets.js'
import type {Db} from '../../src/server/store/db.js'
import {openPostgres} from '../../src/server/store/postgres.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {openTestStore, postgresUrl, type TestStore} from '../helpers/stores.js'
import {startServerProcess, storeArgs, type ServerProcess} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {apiCall, instanceProcesses, waitFor} from './support.js'

const skipReason = postgresUrl ? '' : 'skipped: set CLAWD_TEST_DATABASE_URL to a PostgreSQL database to run it'

/** Lifecycle events per instance, straight from the shared database. */
async function eventsByInstance(db: Db, event: string): Promise<Map<string, number>> {
  const rows = await db.asSystem((q) =>
    q.query<{instance_id: string; n: number}>(`SELECT instance_id, count(*)::int AS n FROM access_log WHERE kind = 'lifecycle' AND event = $1 GROUP BY instance_id`, [event]),
  )
  return new Map(rows.map((r) => [r.instance_id, r.n]))
}

/**
 * The sweeper with several API processes on one PostgreSQL: two sweeps racing over the same rows
 * never both act on one (FOR UPDATE SKIP LOCKED and conditional transitions), and two real server
 * processes with their own data dirs each pause their own instances, exactly once, and leave no
 * process running behind a row that says paused.
 */
describe.skipIf(!postgresUrl)(`instance sweeper on PostgreSQL with several API processes${skipReason ? ` (${skipReason})` : ''}`, () => {
  describe('two managers racing on one schema', () => {
    const N = 60
    const dir = tempDir('clawd-sweep-')
    let store: TestStore
    let otherDb: Db
    let driver: LocalDriver
    const contexts: ServerCore[] = []
    const managers: InstanceSweeps[] = []
    const ids: string[] = []

    beforeAll(async () => {
      store = await openTestStore('postgres')
      otherDb = await openPostgres(store.databaseUrl!, {schema: store.schema, max: 4})
      // One driver for both, as a cluster driver would be: either process may stop any instance.
      driver = await createLocalDriver({dataDir: dir.path, sandbox: 'none', memoryLimitMb: 128, egressAllow: []})
      const master = randomBytes(32)
      for (const db of [store.db, otherDb]) {
        const config = defaultConfig(dir.path)
        config.instances.idleTimeoutMs = 60_000
        config.instances.retentionMs = 30 * 86_400_000
        const ctx: ServerCore = {
          config,
          db,
          log: pino({level: 'silent'}),
          clock: systemClock,
          secrets: {tokenPepper: deriveSubkey(master, 'token-pepper'), dataKeyWrap: deriveSubkey(master, 'data-key-wrap'), signing: deriveSubkey(master, 'signing')},
          onClose: [],
        }
        contexts.push(ctx)
        managers.push(new InstanceSweeps(ctx, new InstanceLifecycle(ctx, driver)))
      }
      const ctx = contexts[0]!
      // Rows that went idle an hour ago, across several users, each with its storage.
      await store.db.asSystem(async (q) => {
        for (let u = 0; u < 10; u++) {
          const userId = newId('usr')
          await q.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'not-a-hash')`, [userId, `${userId}@example.com`])
          for (let i = 0; i < N / 10; i++) {
            const id = newId('ins')
            await insertInstance(q, {id, userId, name: `i${i}`, model: 'dev/echo', wrappedDataKey: mintDataKey(ctx, id).wrapped})
            await q.query(`UPDATE instances SET state = 'running', last_active_at = now() - interval '1 hour' WHERE id = $1`, [id])
            await driver.create(id)
            ids.push(id)
          }
        }
      })
    })
    afterAll(async () => {
      await driver?.shutdown()
      await otherDb?.close()
      await store?.dispose()
      dir.dispose()
    })

    const settled = (state: string) =>
      waitFor(`every instance to be ${state}`, async () => {
        const [row] = await store.db.asSystem((q) => q.query<{n: number}>(`SELECT count(*)::int AS n FROM instances WHERE state <> $1`, [state]))
        return row!.n === 0 ? true : undefined
      })

    it('idle pause: every instance is claimed by exactly one sweep and paused exactly once', async () => {
      let claimed = 0
      for (let round = 0; round < 20; round++) {
        const counts = await Promise.all(managers.map((m) => m.pauseIdle()))
        claimed += counts[0]! + counts[1]!
        if (counts[0]! + counts[1]! === 0) break
      }
      await settled('paused')
      expect(claimed).toBe(N)
      const paused = await eventsByInstance(store.db, 'instance.paused')
      expect(ids.filter((id) => paused.get(id) !== 1)).toEqual([])
      expect(paused.size).toBe(N)
    })

    it('abandoned removal: every instance is removed by exactly one sweep, rows and storage gone', async () => {
      for (const ctx of contexts) ctx.config.instances.retentionMs = 60_000
      let removed = 0
      for (let round = 0; round < 20; round++) {
        const counts = await Promise.all(managers.map((m) => m.removeAbandoned()))
        removed += counts[0]! + counts[1]!
        if (counts[0]! + counts[1]! === 0) break
      }
      expect(removed).toBe(N)
      const [left] = await store.db.asSystem((q) => q.query<{n: number}>(`SELECT count(*)::int AS n FROM instances`))
      expect(left!.n).toBe(0)
      const events = await eventsByInstance(store.db, 'instance.removed_inactive')
      expect(ids.filter((id) => events.get(id) !== 1)).toEqual([])
      expect(ids.filter((id) => existsSync(join(dir.path, 'instances', id)))).toEqual([])
    })
  })

  describe('two server processes, each with its own data dir', () => {
    let store: TestStore
    const servers: ServerProcess[] = []
    const env = {CLAWD_MASTER_KEY: randomBytes(32).toString('base64')}

    beforeAll(async () => {
      store = await openTestStore('postgres')
    })
    afterAll(async () => {
      for (const s of servers) await s.stop()
      await store?.dispose()
    })

    it('each instance is paused once, by the process that runs it; starting another process disturbs nothing', async () => {
      const args = [...storeArgs(store), '--idle-timeout', '4s', '--sweep-interval', '300ms']
      const users: TestUser[] = []
      const made: Array<{id: string; server: ServerProcess; user: TestUser}> = []
      const create = async (server: ServerProcess, user: TestUser, name: string) => {
        const res = await apiCall(server.url, user, 'POST', '/v1/instances', {name})
        expect(res.status, JSON.stringify(res.body)).toBe(202)
        await waitFor(`${name} to run`, async () => {
          const row = (await apiCall(server.url, user, 'GET', `/v1/instances/${name}`)).body
          if (row.state === 'failed') throw new Error(row.failure_reason)
          return row.state === 'running' ? true : undefined
        })
        made.push({id: res.body.id, server, user})
      }

      servers.push(await startServerProcess({args, env}))
      users.push(await newUser({url: servers[0]!.url, adminSocket: join(servers[0]!.dataDir, 'admin.sock')}))
      await create(servers[0]!, users[0]!, 'first')
      await create(servers[0]!, users[0]!, 'second')
      // The second process starts (and reconciles) while the first one's instances run.
      servers.push(await startServerProcess({args, env}))
      users.push(await newUser({url: servers[1]!.url, adminSocket: join(servers[1]!.dataDir, 'admin.sock')}))
      await create(servers[1]!, users[1]!, 'third')

      for (const m of made) {
        await waitFor(`${m.id} to pause`, async () => ((await apiCall(m.server.url, m.user, 'GET', `/v1/instances/${m.id}`)).body.state === 'paused' ? true : undefined))
        // Paused for real: the process that ran it stopped it.
        expect(instanceProcesses(m.id), `${m.id} still has a process`).toEqual([])
      }
      const paused = await eventsByInstance(store.db, 'instance.paused')
      expect(made.map((m) => paused.get(m.id))).toEqual([1, 1, 1])
      const reconciled = await eventsByInstance(store.db, 'instance.reconciled')
      expect([...reconciled.keys()]).toEqual([])

      // And the paused instances resume through the process that holds them.
      for (const m of made) expect((await apiCall(m.server.url, m.user, 'GET', `/v1/instances/${m.id}/sessions`)).status).toBe(200)
    })
  })
})
