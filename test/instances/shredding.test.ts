import {randomBytes} from 'node:crypto'
import {cpSync, existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Vault} from '../../src/agent/vault.js'
import {unwrapDataKey} from '../../src/crypto/aead.js'
import {deriveSubkey} from '../../src/crypto/kdf.js'
import {loadMasterKey} from '../../src/server/master-key.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {collectSse} from '../helpers/sse.js'
import {tempDir} from '../helpers/tmp.js'
import {apiCall, dumpDatabase, instanceProcesses, waitFor} from './support.js'

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...filesUnder(p))
    else if (e.isFile()) out.push(p)
  }
  return out
}

/** What a vault copy yields under `key`: the entries it can name, and each one's content. */
async function openCopy(copyDir: string, key: Buffer): Promise<Map<string, string>> {
  const vault = await Vault.open(copyDir, key)
  const out = new Map<string, string>()
  for (const name of await vault.list()) out.set(name, (await vault.read(name))!.toString('utf8'))
  return out
}

/**
 * Crypto-shredding: an instance's files are encrypted under its own data key, which exists only
 * wrapped in its row. Delete removes the directory and the row; a copy of the files taken before
 * then is useless, because nothing the server still holds (its master key and every subkey, every
 * wrapped key left in the database, every byte of its data dir) opens it.
 */
describe('crypto-shredding on instance delete (e2e)', () => {
  const data = tempDir('clawd-shred-')
  const copies = tempDir('clawd-shred-copy-')
  let server: ServerProcess
  let user: TestUser
  /** The deleted instance's wrapped data key, read from the database before the delete. */
  let doomedWrapped = ''
  const marker = `shred-marker-${randomBytes(8).toString('hex')}`
  const ids: Record<'doomed' | 'kept', string> = {doomed: '', kept: ''}
  const api = (method: string, path: string, body?: unknown) => apiCall(server.url, user, method, path, body)
  const copyOf = (name: string) => join(copies.path, name)

  async function converse(ref: string) {
    const session = await api('POST', `/v1/instances/${ref}/sessions`, {title: `${ref} chat`})
    expect(session.status).toBe(201)
    const res = await fetch(`${server.url}/v1/instances/${ref}/sessions/${session.body.id}/messages`, {
      method: 'POST',
      headers: {authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json'},
      body: JSON.stringify({content: `${ref}: ${marker}`}),
    })
    expect((await collectSse(res)).at(-1)!.data.type).toBe('message.end')
  }

  beforeAll(async () => {
    server = await startServerProcess({dataDir: data.path})
    user = await newUser({url: server.url, adminSocket: join(data.path, 'admin.sock')})
    for (const name of ['doomed', 'kept'] as const) {
      const created = await api('POST', '/v1/instances', {name})
      expect(created.status).toBe(202)
      ids[name] = created.body.id
      await waitFor(`${name} to run`, async () => ((await api('GET', `/v1/instances/${name}`)).body.state === 'running' ? true : undefined))
      await converse(name)
      expect((await api('POST', `/v1/instances/${name}/pause`)).status).toBe(202)
      await waitFor(`${name} to pause`, async () => ((await api('GET', `/v1/instances/${name}`)).body.state === 'paused' ? true : undefined))
      // The attacker's copy: the instance's whole directory, taken while it exists.
      cpSync(join(data.path, 'instances', ids[name]), copyOf(name), {recursive: true})
    }
  })
  afterAll(async () => {
    await server?.stop()
    data.dispose()
    copies.dispose()
  })

  it('before the delete, the copy opens with the key the server holds (the control)', async () => {
    // Encrypted at rest: the message is nowhere in the copied bytes.
    const files = filesUnder(copyOf('doomed'))
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) expect(readFileSync(f).toString('latin1')).not.toContain(marker)

    expect(await server.stop()).toBe(0)
    const dump = await dumpDatabase(data.path)
    doomedWrapped = dump.instances!.find((r) => r.id === ids.doomed)!.wrapped_data_key as string
    expect(doomedWrapped).toMatch(/^v1\./)
    const wrap = deriveSubkey(loadMasterKey(data.path, process.env), 'data-key-wrap')
    const opened = await openCopy(copyOf('doomed'), unwrapDataKey(wrap, doomedWrapped, ids.doomed))
    expect([...opened.values()].some((content) => content.includes(`doomed: ${marker}`))).toBe(true)
    server = await startServerProcess({dataDir: data.path})
  })

  it('after the delete nothing is left of it, and nothing the server still holds opens the copy', async () => {
    const deleted = await runCli(['instance', 'delete', 'doomed', '--yes', '--json'], {
      env: {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(copies.path, 'cli')},
    })
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(json(deleted)).toEqual({id: ids.doomed, name: 'doomed', deleted: true})
    expect((await api('GET', `/v1/instances/${ids.doomed}`)).status).toBe(404)
    expect(existsSync(join(data.path, 'instances', ids.doomed))).toBe(false)
    expect(existsSync(join(data.path, 'egress', ids.doomed))).toBe(false)
    expect(instanceProcesses(ids.doomed)).toEqual([])
    expect(await server.stop()).toBe(0)

    // The rows: the instance, its keys and its wrapped data key are gone. The account's own access
    // log keeps its entries (what happened to which id, never with what) until the log retention,
    // by design: it is the user's record, and it holds nothing that opens anything.
    const dump = await dumpDatabase(data.path)
    expect(dump.instances!.map((r) => r.id)).toEqual([ids.kept])
    for (const [table, rows] of Object.entries(dump)) {
      for (const r of rows) {
        const text = JSON.stringify(r)
        expect(text, `${table} still holds the wrapped data key`).not.toContain(doomedWrapped)
        if (table === 'access_log') continue
        expect(text, `a ${table} row mentions the deleted instance`).not.toContain(ids.doomed)
      }
    }
    const logged = dump.access_log!.filter((r) => r.instance_id === ids.doomed)
    expect(logged.map((r) => r.event)).toContain('instance.deleted')
    for (const r of logged) expect(Object.keys((r.detail as object | null) ?? {}).every((k) => ['name', 'reason', 'from', 'to', 'tools'].includes(k))).toBe(true)

    // Nor are its bytes anywhere in the data dir: not in the database's table or WAL files.
    const wrappedBody = doomedWrapped.slice('v1.'.length)
    for (const f of filesUnder(data.path)) {
      expect(readFileSync(f).toString('latin1').includes(wrappedBody), `${f} still holds the wrapped data key`).toBe(false)
    }

    // Everything the server still holds, tried as the data key: the master key, each subkey, and
    // every wrapped key left in the database, unwrapped for its own instance and for the deleted id.
    const master = loadMasterKey(data.path, process.env)
    const subkeys = ['data-key-wrap', 'token-pepper', 'signing'].map((p) => deriveSubkey(master, p))
    const candidates: Buffer[] = [master, ...subkeys]
    const wrap = subkeys[0]!
    for (const r of dump.instances!) {
      for (const aadId of [r.id as string, ids.doomed]) {
        try {
          candidates.push(unwrapDataKey(wrap, r.wrapped_data_key as string, aadId))
        } catch {}
      }
    }
    expect(candidates.length).toBe(5) // the four server keys and kept's data key: nothing unwraps for the deleted id
    for (const key of candidates) expect((await openCopy(copyOf('doomed'), key)).size).toBe(0)

    // The same search does open a living instance's copy, so it would have found the key.
    const keptKey = unwrapDataKey(wrap, dump.instances!.find((r) => r.id === ids.kept)!.wrapped_data_key as string, ids.kept)
    const kept = await openCopy(copyOf('kept'), keptKey)
    expect([...kept.values()].some((content) => content.includes(`kept: ${marker}`))).toBe(true)
  })
})
