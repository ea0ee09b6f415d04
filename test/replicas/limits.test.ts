import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {readSse} from '../helpers/sse.js'
import {chat, type Cluster, skipWithoutPostgres, startCluster, waitState} from './support.js'

/** Limits and sweeps hold for the cluster, not per API process. */
describe.skipIf(skipWithoutPostgres)('limits and sweeps across replicas', () => {
  let c: Cluster

  beforeAll(async () => {
    c = await startCluster(['--dev-delay', '150ms', '--concurrent-streams', '1', '--idle-timeout', '3s', '--sweep-interval', '200ms', '--max-running', '10', '--max-instances', '10'])
  }, 240_000)
  afterAll(async () => {
    await c?.stop()
  })

  it('the concurrent-stream limit holds across replicas, and frees when the stream ends', async () => {
    for (const name of ['one', 'two']) {
      expect((await c.api(0, 'POST', '/v1/instances', {body: {name}})).status).toBe(202)
      await waitState(c, 1, name, 'running')
    }
    const s1 = (await c.api(0, 'POST', '/v1/instances/one/sessions', {body: {}})).body.id
    const s2 = (await c.api(1, 'POST', '/v1/instances/two/sessions', {body: {}})).body.id
    const res = await fetch(`${c.servers[0]!.url}/v1/instances/one/sessions/${s1}/messages`, {
      method: 'POST',
      headers: {authorization: `Bearer ${c.user.accessToken}`, 'content-type': 'application/json'},
      body: JSON.stringify({content: 'a long one'}),
    })
    expect(res.status).toBe(200)
    const reader = readSse(res)
    await reader.next()
    // The one slot is taken on replica 0: replicas 1 and 2 refuse a second stream.
    for (const via of [1, 2]) {
      const refused = await c.api(via, 'POST', `/v1/instances/two/sessions/${s2}/messages`, {body: {content: 'me too'}})
      expect(refused.status, refused.text).toBe(429)
      expect(refused.headers['retry-after']).toBeDefined()
    }
    for await (const _ of reader) {
      // drain the first answer to its end
    }
    expect((await chat(c, 2, 'two', s2, 'now me')).types.at(-1)).toBe('message.end')
  })

  it('the idle sweep pauses each idle instance once, whichever replica runs it', async () => {
    const ids: string[] = []
    for (const name of ['idle-a', 'idle-b', 'idle-c']) {
      const res = await c.api(ids.length, 'POST', '/v1/instances', {body: {name}})
      expect(res.status, res.text).toBe(202)
      ids.push(res.body.id)
    }
    const replicas = new Set<string>()
    for (const id of ids) replicas.add((await waitState(c, 0, id, 'running')).body.replica)
    expect(replicas.size).toBeGreaterThan(1)
    for (const id of ids) await waitState(c, 2, id, 'paused', 30_000)
    // Sweeps keep running on every replica for a while: still exactly one idle pause each.
    await new Promise((r) => setTimeout(r, 1500))
    for (const id of ids) {
      const events = (await c.api(1, 'GET', `/v1/instances/${id}/events`)).body.events as Array<{event: string; detail: {reason?: string} | null}>
      expect(events.filter((e) => e.event === 'instance.paused' && e.detail?.reason === 'idle')).toHaveLength(1)
    }
  })
})
