import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {json} from '../helpers/cli.js'
import {readSse} from '../helpers/sse.js'
import {tempDir} from '../helpers/tmp.js'
import {putKey} from '../security/world.js'
import {chat, type Cluster, skipWithoutPostgres, startCluster, waitState} from './support.js'

/**
 * Three API replicas on one PostgreSQL: a user's requests land on any of them, as behind a load
 * balancer, and everything works whichever replica runs the instance.
 */
describe.skipIf(skipWithoutPostgres)('every API replica reaches every instance', () => {
  let c: Cluster
  let id: string
  let owner: number
  let sid: string

  beforeAll(async () => {
    c = await startCluster(['--dev-delay', '150ms', '--stream-grace', '20s'])
  }, 240_000)
  afterAll(async () => {
    await c?.stop()
  })

  it('places instances on the replica with the fewest running, and every replica reports where', async () => {
    const first = await c.api(0, 'POST', '/v1/instances', {body: {name: 'first'}})
    expect(first.status, first.text).toBe(202)
    expect(first.body.replica).toBe(c.replicaId(0))
    await waitState(c, 1, 'first', 'running')
    // Replica 0 runs one now: the next goes elsewhere, though replica 0 takes the request.
    const second = await c.api(0, 'POST', '/v1/instances', {body: {name: 'second'}})
    expect(second.status, second.text).toBe(202)
    owner = [1, 2].find((i) => c.replicaId(i) === second.body.replica)!
    expect(owner, `placed on ${second.body.replica}`).toBeDefined()
    id = second.body.id
    const running = await waitState(c, 0, id, 'running')
    expect(running.body.replica).toBe(c.replicaId(owner))
    for (const i of [0, 1, 2]) {
      const listed = await c.cli(i, ['instance', 'list', '--json'])
      expect(listed.code, listed.stderr).toBe(0)
      const rows = json(listed).instances as Array<{name: string; replica: string; state: string}>
      expect(rows.find((r) => r.name === 'second')).toMatchObject({replica: c.replicaId(owner), state: 'running'})
    }
    const shown = await c.cli(0, ['instance', 'show', 'second'])
    expect(shown.stdout).toContain(`replica:      ${c.replicaId(owner)}`)
  })

  it('chats through every replica, alternating', async () => {
    const s = await c.api((owner + 1) % 3, 'POST', `/v1/instances/${id}/sessions`, {body: {}})
    expect(s.status, s.text).toBe(201)
    sid = s.body.id
    for (const via of [0, 1, 2, 0]) {
      const answer = await chat(c, via, id, sid, `hello via ${via}`)
      expect(answer.types.at(-1), answer.types.join(',')).toBe('message.end')
    }
    const detail = await c.api((owner + 2) % 3, 'GET', `/v1/instances/${id}/sessions/${sid}`)
    expect(detail.status).toBe(200)
    expect(detail.body.messages.filter((m: {role: string}) => m.role === 'user').map((m: {content: string}) => m.content)).toEqual([
      'hello via 0',
      'hello via 1',
      'hello via 2',
      'hello via 0',
    ])
  })

  it('a stream cut on one replica resumes through another with Last-Event-ID, missing nothing', async () => {
    const start = (owner + 1) % 3
    const resumeVia = (owner + 2) % 3
    const abort = new AbortController()
    const res = await fetch(`${c.servers[start]!.url}/v1/instances/${id}/sessions/${sid}/messages`, {
      method: 'POST',
      headers: {authorization: `Bearer ${c.user.accessToken}`, 'content-type': 'application/json'},
      body: JSON.stringify({content: 'a long answer please'}),
      signal: abort.signal,
    })
    expect(res.status).toBe(200)
    const before: Array<{id: number | undefined; data: any}> = []
    let mid = ''
    for await (const e of readSse(res)) {
      before.push(e)
      if (e.data.type === 'message.start') mid = e.data.message_id
      if (before.filter((b) => b.data.type === 'text.delta').length === 2) break
    }
    abort.abort()
    const lastId = before.at(-1)!.id!
    const resumed = await fetch(`${c.servers[resumeVia]!.url}/v1/instances/${id}/sessions/${sid}/messages/${mid}/events`, {
      headers: {authorization: `Bearer ${c.user.accessToken}`, 'last-event-id': String(lastId)},
    })
    expect(resumed.status).toBe(200)
    const after: Array<{id: number | undefined; data: any}> = []
    for await (const e of readSse(resumed)) after.push(e)
    expect(after.at(-1)!.data.type).toBe('message.end')
    // Consecutive ids across the cut: nothing doubled, nothing dropped.
    const ids = [...before, ...after].map((e) => e.id)
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i))
  })

  it('abort through a replica that does not run the instance stops the answer', async () => {
    const via = (owner + 1) % 3
    const res = await fetch(`${c.servers[via]!.url}/v1/instances/${id}/sessions/${sid}/messages`, {
      method: 'POST',
      headers: {authorization: `Bearer ${c.user.accessToken}`, 'content-type': 'application/json'},
      body: JSON.stringify({content: 'stop me'}),
    })
    const seen: any[] = []
    for await (const e of readSse(res)) {
      seen.push(e.data)
      if (e.data.type === 'message.start') {
        const stopped = await c.api((owner + 2) % 3, 'POST', `/v1/instances/${id}/sessions/${sid}/messages/${e.data.message_id}/abort`)
        expect(stopped.status, stopped.text).toBeLessThan(300)
      }
    }
    const end = seen.at(-1)
    expect(end.type).toBe('message.end')
    expect(end.stop_reason).toBe('aborted')
  })

  it('keys set, config push, config show and export through replicas that do not run it', async () => {
    const others = [0, 1, 2].filter((i) => i !== owner)
    const key = await putKey(c.servers[others[0]!]!, c.user.accessToken, id, 'anthropic', 'sk-ant-replica-canary-0001')
    expect(key.name).toBe('anthropic')
    const keys = await c.cli(others[1]!, ['keys', 'list', '-i', 'second', '--json'])
    expect(keys.code, keys.stderr).toBe(0)
    expect(JSON.stringify(json(keys))).toContain('anthropic')

    const dir = tempDir('clawd-push-')
    try {
      writeFileSync(join(dir.path, 'SOUL.md'), '# Soul\n\nPushed through another replica.\n')
      const pushed = await c.cli(others[0]!, ['config', 'push', dir.path, '-i', 'second', '--json'])
      expect(pushed.code, pushed.stderr).toBe(0)
      const shown = await c.cli(others[1]!, ['config', 'show', 'SOUL.md', '-i', 'second'])
      expect(shown.code, shown.stderr).toBe(0)
      expect(shown.stdout).toContain('Pushed through another replica.')
      const out = join(dir.path, 'export')
      mkdirSync(out)
      const exported = await c.cli(others[1]!, ['export', '-i', 'second', '--out', out, '--force', '--json'])
      expect(exported.code, exported.stderr).toBe(0)
      expect(readFileSync(join(out, 'SOUL.md'), 'utf8')).toContain('Pushed through another replica.')
    } finally {
      dir.dispose()
    }
  })

  it('pause and resume through replicas that do not run it; it stays where its storage is', async () => {
    const others = [0, 1, 2].filter((i) => i !== owner)
    const paused = await c.cli(others[0]!, ['instance', 'pause', 'second', '--wait', '--json'], {timeoutMs: 60_000})
    expect(paused.code, paused.stderr).toBe(0)
    await waitState(c, owner, id, 'paused')
    const resumed = await c.cli(others[1]!, ['instance', 'resume', 'second', '--wait', '--json'], {timeoutMs: 60_000})
    expect(resumed.code, resumed.stderr).toBe(0)
    const row = await waitState(c, others[0]!, id, 'running')
    expect(row.body.replica).toBe(c.replicaId(owner))
    // A paused instance resumes on demand through any replica, too.
    expect((await c.api(others[0]!, 'POST', `/v1/instances/${id}/pause`)).status).toBe(202)
    await waitState(c, owner, id, 'paused')
    const answer = await chat(c, others[1]!, id, sid, 'wake up')
    expect(answer.types.at(-1)).toBe('message.end')
  })

  it('delete through a replica that does not run it removes its storage there', async () => {
    const others = [0, 1, 2].filter((i) => i !== owner)
    const dir = join(c.servers[owner]!.dataDir, 'instances', id)
    expect(existsSync(dir)).toBe(true)
    const deleted = await c.cli(others[0]!, ['instance', 'delete', 'second', '--yes', '--json'], {timeoutMs: 60_000})
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(existsSync(dir)).toBe(false)
    expect((await c.api(others[1]!, 'GET', `/v1/instances/${id}`)).status).toBe(404)
  })
})
