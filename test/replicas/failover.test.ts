import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {deriveSubkey} from '../../src/crypto/kdf.js'
import {HOP_HEADERS, hopKey, signHop} from '../../src/server/replicas/hop.js'
import {internalPaths} from '../../src/server/replicas/client.js'
import {call} from '../security/http.js'
import {chat, type Cluster, skipWithoutPostgres, startCluster, waitState} from './support.js'

/**
 * The internal listener answers only signed hops from other replicas; a replica that dies makes
 * its instances read `unavailable` everywhere (not `running`), and they come back with it.
 */
describe.skipIf(skipWithoutPostgres)('the internal hop and a dead replica', () => {
  let c: Cluster
  let id: string
  let sid: string
  let owner: number
  let internal: Map<string, string>

  beforeAll(async () => {
    c = await startCluster()
    // Replica 0 takes the first; the second goes to a replica with none.
    expect((await c.api(0, 'POST', '/v1/instances', {body: {name: 'anchor'}})).status).toBe(202)
    await waitState(c, 0, 'anchor', 'running')
    const created = await c.api(0, 'POST', '/v1/instances', {body: {name: 'target'}})
    expect(created.status, created.text).toBe(202)
    id = created.body.id
    owner = [0, 1, 2].find((i) => c.replicaId(i) === created.body.replica)!
    expect(owner).not.toBe(0)
    await waitState(c, 0, id, 'running')
    sid = (await c.api(0, 'POST', `/v1/instances/${id}/sessions`, {body: {}})).body.id
    expect((await chat(c, 0, id, sid, 'remember me')).types.at(-1)).toBe('message.end')
    const rows = await c.store.db.asSystem((q) => q.query<{id: string; internal_url: string}>(`SELECT id, internal_url FROM replicas`))
    internal = new Map(rows.map((r) => [r.id, r.internal_url]))
  }, 240_000)
  afterAll(async () => {
    await c?.stop()
  })

  const ownerUrl = () => internal.get(c.replicaId(owner))!
  const agentPath = () => internalPaths.agent(id, '/sessions')
  const realKey = () => hopKey(deriveSubkey(Buffer.from(c.masterKey, 'hex'), 'signing'))

  it('refuses a request with no credential, a user’s bearer token, a wrong key, or a replay', async () => {
    const none = await call(ownerUrl(), 'GET', agentPath())
    expect(none.status).toBe(401)
    expect(none.text).not.toContain('remember me')

    const bearer = await call(ownerUrl(), 'GET', agentPath(), {token: c.user.accessToken})
    expect(bearer.status).toBe(401)

    const wrong = signHop(deriveSubkey(Buffer.alloc(32, 7), 'signing'), {target: c.replicaId(owner), method: 'GET', path: agentPath()})
    expect((await call(ownerUrl(), 'GET', agentPath(), {headers: wrong})).status).toBe(401)

    // A genuine hop (made here with the cluster's key) works once, and only once.
    const genuine = signHop(realKey(), {target: c.replicaId(owner), method: 'GET', path: agentPath()})
    const first = await call(ownerUrl(), 'GET', agentPath(), {headers: genuine})
    expect(first.status, first.text).toBe(200)
    expect(first.text).toContain(sid)
    const replay = await call(ownerUrl(), 'GET', agentPath(), {headers: genuine})
    expect(replay.status).toBe(401)

    // Signed for one replica, sent to another: refused there too.
    const other = [0, 1, 2].find((i) => i !== owner)!
    const misdirected = signHop(realKey(), {target: c.replicaId(owner), method: 'GET', path: agentPath()})
    expect((await call(internal.get(c.replicaId(other))!, 'GET', agentPath(), {headers: misdirected})).status).toBe(401)

    // Lifecycle work without a credential does nothing.
    const stop = await call(ownerUrl(), 'POST', internalPaths.op(id, 'stop'), {body: {event: 'x'}})
    expect(stop.status).toBe(401)
    const forgedStop = {...signHop(realKey(), {target: c.replicaId(owner), method: 'POST', path: internalPaths.op(id, 'stop'), body: Buffer.from('{}')}), [HOP_HEADERS.nonce]: 'fresh'}
    expect((await call(ownerUrl(), 'POST', internalPaths.op(id, 'stop'), {raw: '{}', headers: forgedStop})).status).toBe(401)
    expect((await c.api(0, 'GET', `/v1/instances/${id}`)).body.state).toBe('running')
  })

  it('SIGKILL of the owning replica: unavailable through the others within the bound, CLI exit 7, then back with nothing lost', async () => {
    const others = [0, 1, 2].filter((i) => i !== owner)
    await c.servers[owner]!.kill()
    const killedAt = Date.now()
    const down = await waitState(c, others[0]!, id, 'unavailable', 20_000)
    // The bound is 2 s of silence on the database clock, plus one heartbeat period and polling.
    expect(Date.now() - killedAt).toBeLessThan(8_000)
    expect(down.body.failure_reason).toContain(c.replicaId(owner))
    expect(down.body.replica).toBe(c.replicaId(owner))
    const viaOther = await c.api(others[1]!, 'GET', `/v1/instances/${id}`)
    expect(viaOther.body.state).toBe('unavailable')
    // The other instance, on a live replica, is unaffected.
    expect((await c.api(others[1]!, 'GET', `/v1/instances/anchor`)).body.state).not.toBe('unavailable')

    const refused = await c.api(others[0]!, 'POST', `/v1/instances/${id}/sessions/${sid}/messages`, {body: {content: 'hello?'}})
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBeDefined()
    expect(refused.body.code).toBe('unavailable')

    const cli = await c.cli(others[1]!, ['chat', '-i', 'target', '--session', sid, '-m', 'hello?'], {timeoutMs: 60_000})
    expect(cli.code, cli.stderr).toBe(7)
    expect(cli.stderr).toMatch(/unavailable/)
    expect(cli.stderr).toMatch(/drain|restarts/)

    await c.restart(owner)
    const back = await chat(c, others[0]!, id, sid, 'are you back?')
    expect(back.types.at(-1)).toBe('message.end')
    const detail = await c.api(others[1]!, 'GET', `/v1/instances/${id}/sessions/${sid}`)
    const said = detail.body.messages.filter((m: {role: string}) => m.role === 'user').map((m: {content: string}) => m.content)
    expect(said).toEqual(['remember me', 'are you back?'])
    expect((await c.api(others[1]!, 'GET', `/v1/instances/${id}`)).body.replica).toBe(c.replicaId(owner))
  })
})
