import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {keyFingerprint} from '../../src/crypto/fingerprint.js'
import {startProviderServer, type ProviderServer} from '../helpers/provider-server.js'
import {readSse} from '../helpers/sse.js'
import {putKey} from '../security/world.js'
import {agentPids, expectSettled, noAgentLeft, runningInstance, startFaulty, type Faulty} from './support.js'

/**
 * SIGKILL the server (no drain, no shutdown hooks) in the middle of the three things that write
 * state — an answer stream, an instance create, a `keys set` — and start a new server on the same
 * data dir: nothing is left half-way (no transitional instance state, no orphan agent process),
 * everything the API acknowledged is still there, and each thing works again.
 */
describe('SIGKILL the server mid-operation, then restart on the same data dir', () => {
  let provider: ProviderServer
  let f: Faulty

  beforeAll(async () => {
    provider = await startProviderServer({fixture: 'anthropic/basic'})
    // Every provider server here listens on 127.0.0.1, on a port picked at run time.
    f = await startFaulty(['--dev-delay', '200ms', '--stream-grace', '1s', '--provider-url', `anthropic=${provider.url}`, '--egress-allow', '127.0.0.1'])
  })
  afterAll(async () => {
    await f?.stop()
    await provider?.close()
  })

  it('mid-stream: the instance settles, the session and the acknowledged message are readable, and it answers again', async () => {
    const created = await f.api('POST', '/v1/instances', {body: {name: 'streamy'}})
    expect(created.status, created.text).toBe(202)
    const id = created.body.id as string
    await runningInstance(f, id)
    const sid = (await f.api('POST', `/v1/instances/${id}/sessions`, {body: {}})).body.id as string
    /**
     * Sends a message to the server of the moment; the answer is returned while it still streams.
     * No clock of its own: a server that dies ends the request, and vitest bounds a true hang.
     */
    const send = (content: string) =>
      fetch(`${f.server.url}/v1/instances/${id}/sessions/${sid}/messages`, {
        method: 'POST',
        headers: {authorization: `Bearer ${f.user.accessToken}`, 'content-type': 'application/json'},
        body: JSON.stringify({content}),
      })

    // The dev provider waits 200 ms between deltas: the kill lands while the answer streams.
    const res = await send('keep talking')
    expect(res.status).toBe(200)
    const seen: string[] = []
    let messageId = ''
    const reader = readSse(res)
    try {
      for await (const e of reader) {
        seen.push(e.data.type)
        if (e.data.type === 'message.start') messageId = e.data.message_id
        if (seen.filter((t) => t === 'text.delta').length === 2) break
      }
    } finally {
      await f.server.kill()
    }
    expect(seen.at(-1)).toBe('text.delta')
    // The agent's lifeline is the server: no agent process outlives it.
    expect(await noAgentLeft(id)).toEqual([])

    await f.killAndRestart()
    const after = await f.api('GET', `/v1/instances/${id}`)
    expect(after.status).toBe(200)
    expectSettled(after.body.state, 'the instance')
    const detail = await f.api('GET', `/v1/instances/${id}/sessions/${sid}`)
    expect(detail.status, detail.text).toBe(200)
    // The user's message was accepted (the stream began): it is kept.
    expect(detail.body.messages[0]).toMatchObject({role: 'user', content: 'keep talking'})
    // The answer that was cut is either absent or marked as not finished, never shown as complete.
    const cut = detail.body.messages.find((m: {id: string}) => m.id === messageId)
    if (cut) expect(cut.stop_reason === 'end_turn' && !cut.error).toBe(false)

    const again = await send('are you back?')
    expect(again.status).toBe(200)
    const types: string[] = []
    for await (const e of readSse(again)) types.push(e.data.type)
    expect(types.at(-1)).toBe('message.end')
    const events = await f.api('GET', `/v1/instances/${id}/events`)
    expect(events.body.events.map((e: {event: string}) => e.event)).toContain('instance.reconciled')
  })

  it('mid-create: an acknowledged create is still listed, settled, and can be started; one killed in flight is all or nothing', async () => {
    const created = await f.api('POST', '/v1/instances', {body: {name: 'born'}})
    expect(created.status, created.text).toBe(202)
    expect(created.body.state).toBe('creating')
    // Killed at once: the agent may not even have started.
    await f.killAndRestart()
    const after = await f.api('GET', `/v1/instances/${created.body.id}`)
    expect(after.status, 'an acknowledged create was lost').toBe(200)
    expectSettled(after.body.state, 'the acknowledged instance')
    await runningInstance(f, created.body.id)
    expect((await f.api('POST', `/v1/instances/${created.body.id}/sessions`, {body: {}})).status).toBe(201)

    // A create still in flight when the server dies: it exists settled, or not at all.
    await f.api('DELETE', '/v1/instances/streamy')
    const inFlight = f.api('POST', '/v1/instances', {body: {name: 'halfway'}}).catch((error: Error) => error)
    await new Promise((r) => setTimeout(r, 15))
    await f.killAndRestart()
    const answer = await inFlight
    const listed = (await f.api('GET', '/v1/instances')).body.instances as Array<{id: string; name: string; state: string}>
    const halfway = listed.find((i) => i.name === 'halfway')
    if (!(answer instanceof Error) && answer.status === 202) expect(halfway, 'acknowledged, then lost').toBeDefined()
    if (halfway) {
      expectSettled(halfway.state, 'the in-flight instance')
      await runningInstance(f, halfway.id)
    }
    for (const i of listed) expectSettled(i.state, i.name)
  })

  it('mid-keys-set: an acknowledged key survives and is used; a set cut off in flight leaves the key settable again', async () => {
    const listed = (await f.api('GET', '/v1/instances')).body.instances as Array<{id: string}>
    for (const i of listed) await f.api('DELETE', `/v1/instances/${i.id}`)
    const created = await f.api('POST', '/v1/instances', {body: {name: 'keyed', model: 'anthropic/claude-test'}})
    expect(created.status, created.text).toBe(202)
    const id = created.body.id as string
    await runningInstance(f, id)
    const keyFor = (n: number) => `sk-ant-fault-${n}-${Date.now().toString(36)}-0123456789`
    const usedKey = async () => {
      const sid = (await f.api('POST', `/v1/instances/${id}/sessions`, {body: {}})).body.id
      const res = await f.api('POST', `/v1/instances/${id}/sessions/${sid}/messages`, {body: {content: 'hi'}, timeoutMs: 60_000})
      expect(res.status, res.text).toBe(200)
      expect(res.text).toContain('message.end')
      return provider.requests.at(-1)!.headers['x-api-key']
    }

    // 1. Acknowledged, then killed at once: still listed, and the instance uses it.
    const one = keyFor(1)
    await putKey(f.server, f.user.accessToken, id, 'anthropic', one)
    const two = keyFor(2)
    const acked = await putKey(f.server, f.user.accessToken, id, 'anthropic', two)
    await f.killAndRestart()
    const keys = (await f.api('GET', `/v1/instances/${id}/keys`)).body.keys
    expect(keys).toEqual([expect.objectContaining({name: 'anthropic', version: acked.version, fingerprint: keyFingerprint(two)})])
    expect(await usedKey()).toBe(two)

    // 2. Cut off while the instance holds the request (its agent is frozen): the set is not
    // acknowledged, the last acknowledged key is intact, and `keys set` works again after restart.
    const frozen = agentPids(id)
    expect(frozen.length).toBeGreaterThan(0)
    for (const pid of frozen) process.kill(pid, 'SIGSTOP')
    const three = keyFor(3)
    const cut = putKey(f.server, f.user.accessToken, id, 'anthropic', three).catch((error: Error) => error)
    let said = ''
    try {
      // Bounded wait until the PUT is on its way to the frozen agent (the kill must land in flight).
      await new Promise((r) => setTimeout(r, 1500))
    } finally {
      said = await f.killAndRestart(async () => {
        for (const pid of frozen) {
          try {
            process.kill(pid, 'SIGCONT')
          } catch {}
        }
        expect(await noAgentLeft(id)).toEqual([])
      })
    }
    expect(await cut).toBeInstanceOf(Error)
    // The killed server had taken the PUT and not answered it: the kill landed in flight.
    const puts = said.split('\n').filter((l) => l.includes('"method":"PUT"') && l.includes(`/v1/instances/${id}/keys/anthropic`))
    const putId = puts.map((l) => JSON.parse(l).reqId as string).at(-1)
    expect(putId, 'the PUT never reached the server').toBeDefined()
    expect(said.split('\n').some((l) => l.includes(`"reqId":"${putId}"`) && l.includes('request completed'))).toBe(false)
    const afterCut = (await f.api('GET', `/v1/instances/${id}/keys`)).body.keys
    expect(afterCut).toEqual([expect.objectContaining({version: acked.version, fingerprint: keyFingerprint(two)})])
    await runningInstance(f, id)
    expect(await usedKey()).toBe(two)
    const four = keyFor(4)
    await putKey(f.server, f.user.accessToken, id, 'anthropic', four)
    expect(await usedKey()).toBe(four)
  })
})
