import {createHash, randomBytes} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {json, runCli} from '../helpers/cli.js'
import {readSse} from '../helpers/sse.js'
import {tempDir} from '../helpers/tmp.js'
import {putKey} from '../security/world.js'
import {chat, type Cluster, skipWithoutPostgres, startCluster, waitState} from './support.js'

/** Every file under `dir` with its SHA-256, sockets aside. */
function fingerprintTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), {withFileTypes: true})) {
      const path = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) out[path] = createHash('sha256').update(readFileSync(join(dir, path))).digest('hex')
    }
  }
  walk('')
  return out
}

/**
 * `clawd server drain` moves every instance off a replica: sessions, keys and workspace arrive
 * byte for byte, a running one runs again at its new place, and a chat caught by the move ends
 * cleanly and can be sent again.
 */
describe.skipIf(skipWithoutPostgres)('draining a replica', () => {
  let c: Cluster
  let drained: number
  const ids: Record<string, string> = {}
  const sessions: Record<string, string> = {}
  const push = tempDir('clawd-drain-push-')

  beforeAll(async () => {
    c = await startCluster(['--dev-delay', '100ms', '--max-running', '10', '--max-instances', '10'])
    const make = async (name: string) => {
      const res = await c.api(0, 'POST', '/v1/instances', {body: {name}})
      expect(res.status, res.text).toBe(202)
      ids[name] = res.body.id
      await waitState(c, 0, name, 'running')
      return [0, 1, 2].find((i) => c.replicaId(i) === res.body.replica)!
    }
    await make('anchor')
    await make('other')
    drained = await make('sleeper')
    // Pausing the sleeper makes its replica the emptiest again: the mover joins it there.
    expect((await c.api(1, 'POST', '/v1/instances/sleeper/pause')).status).toBe(202)
    await waitState(c, 2, 'sleeper', 'paused')
    expect(await make('mover')).toBe(drained)

    writeFileSync(join(push.path, 'SOUL.md'), '# Soul\n\nI move between machines.\n')
    // A 1 MB workspace (MEMORY.md), as the drain benchmark asks.
    writeFileSync(join(push.path, 'MEMORY.md'), '# Memory\n\n' + randomBytes(780_000).toString('base64').replace(/(.{100})/g, '$1\n'))
    for (const name of ['mover', 'sleeper']) {
      const pushed = await c.cli(0, ['config', 'push', push.path, '-i', name, '--json'], {timeoutMs: 60_000})
      expect(pushed.code, pushed.stderr).toBe(0)
      sessions[name] = (await c.api(1, 'POST', `/v1/instances/${name}/sessions`, {body: {}})).body.id
      expect((await chat(c, 2, name, sessions[name]!, `hello ${name}`)).types.at(-1)).toBe('message.end')
      await putKey(c.servers[1]!, c.user.accessToken, ids[name]!, 'anthropic', `sk-ant-drain-${name}-canary`)
    }
    expect((await c.api(1, 'POST', '/v1/instances/sleeper/pause')).status).toBe(202)
    await waitState(c, 2, 'sleeper', 'paused')
  }, 300_000)
  afterAll(async () => {
    await c?.stop()
    push.dispose()
  })

  it('moves every instance with its storage byte for byte; a chat caught by it ends cleanly and can be resent', async () => {
    const source = c.servers[drained]!.dataDir
    const sleeperFiles = fingerprintTree(join(source, 'instances', ids.sleeper!))
    expect(Object.keys(sleeperFiles).length).toBeGreaterThan(2)
    const before = {
      workspace: (await c.api(0, 'GET', '/v1/instances/mover/workspace')).body,
      session: (await c.api(0, 'GET', `/v1/instances/mover/sessions/${sessions.mover}`)).body,
      keys: (await c.api(0, 'GET', '/v1/instances/mover/keys')).body,
    }
    expect(JSON.stringify(before.workspace)).toContain('I move between machines.')

    // A chat through another replica, slowed so the drain lands mid-answer.
    const via = [0, 1, 2].find((i) => i !== drained)!
    let started!: () => void
    const firstEvent = new Promise<void>((resolve) => (started = resolve))
    const streaming = fetch(`${c.servers[via]!.url}/v1/instances/mover/sessions/${sessions.mover}/messages`, {
      method: 'POST',
      headers: {authorization: `Bearer ${c.user.accessToken}`, 'content-type': 'application/json'},
      body: JSON.stringify({content: 'talk during the move'}),
    }).then(async (res) => {
      const types: string[] = []
      for await (const e of readSse(res)) {
        types.push(e.data.type === 'error' ? `error:${e.data.code}` : e.data.type)
        started()
      }
      started()
      return types
    })
    // The drain starts once the answer is streaming, however long that takes on a busy machine.
    await firstEvent
    const result = await runCli(['server', 'drain', '--data-dir', source, '--json'], {timeoutMs: 180_000})
    expect(result.code, result.stderr).toBe(0)
    const report = json(result)
    expect(report.failed).toEqual([])
    expect(report.moved.map((m: {name: string}) => m.name).sort()).toEqual(['mover', 'sleeper'])
    const moverMove = report.moved.find((m: {name: string}) => m.name === 'mover')
    console.log(`drain of one running instance with a 1 MB workspace: ${moverMove.ms} ms (${moverMove.bytes} bytes of ciphertext)`)

    const caught = await streaming
    const last = caught.at(-1)
    expect(last === 'message.end' || last?.startsWith('error:'), caught.join(',')).toBe(true)

    // Nothing of them is left at the source; the sleeper's files are at the target, unchanged.
    expect(existsSync(join(source, 'instances', ids.mover!))).toBe(false)
    expect(existsSync(join(source, 'instances', ids.sleeper!))).toBe(false)
    const sleeperRow = (await c.api(0, 'GET', '/v1/instances/sleeper')).body
    expect(sleeperRow.state).toBe('paused')
    const target = [0, 1, 2].find((i) => c.replicaId(i) === sleeperRow.replica)!
    expect(target).not.toBe(drained)
    expect(fingerprintTree(join(c.servers[target]!.dataDir, 'instances', ids.sleeper!))).toEqual(sleeperFiles)
    // Ciphertext only: the pushed text is in no file of the moved storage.
    for (const [path] of Object.entries(sleeperFiles)) {
      expect(readFileSync(join(c.servers[target]!.dataDir, 'instances', ids.sleeper!, path)).includes('I move between machines.')).toBe(false)
    }

    // The running one runs at its new place, with the same workspace, session and keys.
    const mover = await waitState(c, 1, 'mover', 'running')
    expect(mover.body.replica).not.toBe(c.replicaId(drained))
    expect((await c.api(2, 'GET', '/v1/instances/mover/workspace')).body).toEqual(before.workspace)
    const keysAfter = (await c.api(2, 'GET', '/v1/instances/mover/keys')).body
    expect(keysAfter).toEqual(before.keys)
    const session = (await c.api(1, 'GET', `/v1/instances/mover/sessions/${sessions.mover}`)).body
    expect(session.messages.slice(0, before.session.messages.length)).toEqual(before.session.messages)
    // The message caught by the drain can be sent again.
    expect((await chat(c, drained, 'mover', sessions.mover!, 'talk during the move')).types.at(-1)).toBe('message.end')
    // The paused one resumes at its new place with its history.
    expect((await chat(c, drained, 'sleeper', sessions.sleeper!, 'wake up')).types.at(-1)).toBe('message.end')
    const sleeperSession = (await c.api(0, 'GET', `/v1/instances/sleeper/sessions/${sessions.sleeper}`)).body
    expect(sleeperSession.messages[0]).toMatchObject({role: 'user', content: 'hello sleeper'})
    // A drained replica takes no new instances.
    const fresh = await c.api(drained, 'POST', '/v1/instances', {body: {name: 'fresh'}})
    expect(fresh.body.replica).not.toBe(c.replicaId(drained))
  })

  it('--drain-on-exit: SIGTERM moves the replica’s instances before it stops', async () => {
    // A fourth replica that drains on exit; it is the emptiest, so it takes the next instance.
    const {startServerProcess} = await import('../helpers/server.js')
    const extra = await startServerProcess({args: [...c.args, '--drain-on-exit'], env: {CLAWD_MASTER_KEY: c.masterKey}})
    const extraId = readFileSync(join(extra.dataDir, 'replica-id'), 'utf8').trim()
    try {
      const created = await c.api(0, 'POST', '/v1/instances', {body: {name: 'leaver'}})
      expect(created.status, created.text).toBe(202)
      expect(created.body.replica).toBe(extraId)
      await waitState(c, 0, 'leaver', 'running')
      const sid = (await c.api(0, 'POST', '/v1/instances/leaver/sessions', {body: {}})).body.id
      expect((await chat(c, 0, 'leaver', sid, 'before exit')).types.at(-1)).toBe('message.end')
      expect(await extra.stop()).toBe(0)
      expect(extra.output()).toMatch(/moved 1 instance/)
      const after = await waitState(c, 1, 'leaver', 'running')
      expect(after.body.replica).not.toBe(extraId)
      const detail = (await c.api(2, 'GET', `/v1/instances/leaver/sessions/${sid}`)).body
      expect(detail.messages[0]).toMatchObject({role: 'user', content: 'before exit'})
      expect(statSync(join(extra.dataDir, 'instances')).isDirectory()).toBe(true)
      expect(existsSync(join(extra.dataDir, 'instances', created.body.id))).toBe(false)
    } finally {
      await extra.kill()
    }
  })
})
