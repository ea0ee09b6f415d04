import {randomBytes} from 'node:crypto'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openDataDirStore} from '../helpers/stores.js'
import {readTar} from '../../src/workspace/tar.js'
import {oauthPost, type TestUser} from '../helpers/auth.js'
import {json} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'
import {startPortability, writeTree, type Portability} from './setup.js'

/** Every file under `dir` with its bytes (names included), for canary searches. */
function filesUnder(dir: string): Array<{path: string; bytes: Buffer}> {
  const out: Array<{path: string; bytes: Buffer}> = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) out.push({path: p, bytes: readFileSync(p)})
      else out.push({path: p, bytes: Buffer.alloc(0)})
    }
  }
  walk(dir)
  return out
}

const sha256 = async (data: Uint8Array) => Buffer.from(await crypto.subtle.digest('SHA-256', data)).toString('hex')

/**
 * "Your data is yours": `export --all` holds everything and no secret; `account delete` leaves
 * nothing of the account in the database or the data dir. One server, in order: the delete test
 * stops it to read the database.
 */
describe('export --all and account delete (e2e)', () => {
  let p: Portability
  let alice: TestUser
  let bob: TestUser
  const tmp = tempDir('clawd-account-')
  const canaryKey = `canary-byok-${randomBytes(12).toString('hex')}`
  const marker = `marker-${randomBytes(6).toString('hex')}`
  let pat: {id: string; token: string}
  const ids: Record<string, string> = {}
  let bobInstance: string

  beforeAll(async () => {
    p = await startPortability(['--max-instances', '3', '--max-running', '2'])
    alice = await p.user()
    bob = await p.user()
    ids.one = await p.instance(alice, 'one')
    ids.two = await p.instance(alice, 'two')
    bobInstance = await p.instance(bob, 'bobs')

    const key = await p.cli(alice, ['keys', 'set', 'dev', '-i', 'one', '--json'], {input: canaryKey})
    expect(key.code, key.stderr).toBe(0)
    const chat = await p.cli(alice, ['chat', '-i', 'one', '-m', `hello ${marker}`], {timeoutMs: 60_000})
    expect(chat.code, chat.stderr).toBe(0)
    const token = await p.cli(alice, ['tokens', 'create', '--name', 'ci', '--json'])
    expect(token.code, token.stderr).toBe(0)
    pat = json(token)
    const ws = join(tmp.path, 'ws')
    writeTree(ws, {'SOUL.md': `# Soul ${marker}\n`, 'memory/2026-07-01.md': '# Day one\n'})
    expect((await p.cli(alice, ['config', 'push', ws, '-i', 'two'])).code).toBe(0)
    expect((await p.cli(alice, ['instance', 'pause', 'two', '--wait'])).code).toBe(0)
  })
  afterAll(async () => {
    await p?.server.stop()
    tmp.dispose()
  })

  it('export --all: the manifest matches the data, and the archive holds no secret', async () => {
    const out = join(tmp.path, 'all.tar')
    const res = await p.cli(alice, ['export', '--all', '--out', out, '--json'], {timeoutMs: 60_000})
    expect(res.code, res.stderr).toBe(0)
    const archive = readFileSync(out)
    const entries = readTar(archive).filter((e) => e.type === 'file')
    const file = (path: string) => {
      const e = entries.find((x) => x.path === path)
      expect(e, path).toBeDefined()
      return Buffer.from(e!.data).toString('utf8')
    }
    const manifest = JSON.parse(file('manifest.json'))
    expect(manifest).toMatchObject({format: 'clawd-account-export', version: 1, account: {id: alice.userId, email: alice.email}})

    // Every file is listed with its size and hash, and nothing else is.
    const others = entries.filter((e) => e.path !== 'manifest.json')
    expect(manifest.files.map((f: any) => f.path)).toEqual(others.map((e) => e.path))
    for (const e of others) {
      const listed = manifest.files.find((f: any) => f.path === e.path)
      expect(listed.bytes).toBe(e.data.length)
      expect(listed.sha256).toBe(await sha256(e.data))
    }

    expect(JSON.parse(file('account.json'))).toMatchObject({id: alice.userId, email: alice.email})
    const tokens = JSON.parse(file('tokens.json'))
    expect(tokens).toContainEqual(expect.objectContaining({id: pat.id, kind: 'pat', name: 'ci'}))
    expect(tokens.some((t: any) => t.kind === 'at') && tokens.some((t: any) => t.kind === 'rt')).toBe(true)
    expect(manifest.counts.tokens).toBe(tokens.length)
    const log = file('access-log.jsonl').trim().split('\n').map((l) => JSON.parse(l))
    expect(manifest.counts.access_log_entries).toBe(log.length)
    const usage = JSON.parse(file('usage.json'))
    expect(usage).toEqual([{day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), messages: 1}])
    expect(manifest.counts.usage_days).toBe(1)
    expect(log.filter((e) => e.event === 'instance.created').map((e) => e.instance_id).sort()).toEqual([ids.one, ids.two].sort())

    // The paused instance was resumed to be read, and is paused again (before anything below resumes it).
    expect(await waitForState(p, alice, 'two', 'paused')).toBe('paused')
    expect(manifest.instances.map((i: any) => [i.name, i.id])).toEqual([
      ['one', ids.one],
      ['two', ids.two],
    ])
    for (const name of ['one', 'two']) {
      const listed = manifest.instances.find((i: any) => i.name === name)
      expect(listed.unavailable).toBeNull()
      expect(JSON.parse(file(`instances/${name}/instance.json`))).toMatchObject({id: ids[name], name})
      const api = await p.api(alice, 'GET', `/v1/instances/${name}/workspace`)
      expect(listed.workspace_files).toBe(api.body.files.length)
      for (const f of api.body.files) expect(file(`instances/${name}/workspace/${f.path}`)).toBe(f.content)
    }
    expect(file('instances/two/workspace/SOUL.md')).toBe(`# Soul ${marker}\n`)

    const keys = JSON.parse(file('instances/one/keys.json'))
    expect(keys).toEqual([expect.objectContaining({name: 'dev', provider: 'dev', version: 1})])
    expect(Object.keys(keys[0]).sort()).toEqual(['base_url', 'created_at', 'fingerprint', 'last_used_at', 'name', 'provider', 'updated_at', 'version'])

    const sessions = JSON.parse(file('instances/one/sessions.json'))
    expect(sessions).toHaveLength(1)
    expect(manifest.instances[0]).toMatchObject({sessions: 1, messages: 2})
    const transcript = file(`instances/one/sessions/${sessions[0].id}.jsonl`).trim().split('\n').map((l) => JSON.parse(l))
    const shown = await p.api(alice, 'GET', `/v1/instances/one/sessions/${sessions[0].id}`)
    expect(transcript).toEqual(shown.body.messages)
    expect(transcript[0]).toMatchObject({role: 'user', content: `hello ${marker}`})
    expect(transcript[1]).toMatchObject({role: 'assistant'})
    expect(JSON.parse(file('instances/two/sessions.json'))).toEqual([])

    // Canaries: the BYOK key, every token of the account, and the other user.
    const text = archive.toString('latin1')
    for (const secret of [canaryKey, alice.accessToken, alice.refreshToken, pat.token]) expect(text).not.toContain(secret)
    expect(text).not.toMatch(/clawd_(?:at|rt|pat)_[0-9A-Za-z]{20}/)
    expect(text).not.toMatch(/"(?:ct|enc|hash|password_hash|wrapped_data_key)"/)
    expect(text).not.toContain(bob.email)
    expect(text).not.toContain(bobInstance)

    // Streams to stdout for pipes; a file is not overwritten without --force.
    const piped = await p.cli(alice, ['export', '--all', '--out', '-'], {timeoutMs: 60_000})
    expect(piped.code, piped.stderr).toBe(0)
    expect(readTar(Buffer.from(piped.stdout, 'utf8')).map((e) => e.path)).toContain('manifest.json')
    expect((await p.cli(alice, ['export', '--all', '--out', out])).code).toBe(5)
    expect((await p.cli(alice, ['export', '--all', '-i', 'one'])).code).toBe(2)
  })

  it('account delete: confirmation, then nothing of the account in the database or the data dir', async () => {
    const noTty = await p.cli(alice, ['account', 'delete'])
    expect(noTty.code).toBe(2)
    expect(noTty.stderr).toMatch(/--yes/)
    const wrong = await p.api(alice, 'DELETE', '/v1/account', {confirm_email: bob.email})
    expect(wrong.status).toBe(400)
    expect((await p.api(alice, 'GET', '/v1/me')).status).toBe(200)

    const res = await p.cli(alice, ['account', 'delete', '--yes', '--json'], {timeoutMs: 60_000})
    expect(res.code, res.stderr).toBe(0)
    expect(json(res)).toMatchObject({id: alice.userId, deleted: true, instances_deleted: 2, email: alice.email})
    expect(json(res).tokens_revoked).toBeGreaterThanOrEqual(3)

    // Every credential of the account is dead.
    expect((await p.api(alice, 'GET', '/v1/me')).status).toBe(401)
    expect((await p.api(pat.token, 'GET', '/v1/me')).status).toBe(401)
    const refreshed = await oauthPost(`${p.server.url}/oauth/token`, {grant_type: 'refresh_token', refresh_token: alice.refreshToken, client_id: 'clawd-test'})
    expect(refreshed.status).toBe(400)
    expect((await p.cli(alice, ['instance', 'list'])).code).toBe(4)
    // The other account is untouched.
    expect((await p.api(bob, 'GET', `/v1/instances/${bobInstance}/workspace`)).status).toBe(200)

    for (const id of [ids.one, ids.two]) {
      expect(existsSync(join(p.server.dataDir, 'instances', id))).toBe(false)
      expect(existsSync(join(p.server.dataDir, 'egress', id))).toBe(false)
    }

    expect(await p.server.stop()).toBe(0)
    const needles = [alice.email, alice.userId, ids.one!, ids.two!, pat.id, marker, canaryKey]

    const db = await openDataDirStore(p.server.dataDir)
    let dump = ''
    try {
      const tables = await db.query<{table_name: string}>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
      )
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['users', 'tokens', 'instances', 'instance_keys', 'access_log']))
      for (const {table_name} of tables) {
        const rows = await db.query(`SELECT * FROM "${table_name}"`)
        dump += `${table_name}\n${JSON.stringify(rows)}\n`
      }
    } finally {
      await db.close()
    }
    // The dump is real: the other account is in it.
    expect(dump).toContain(bob.email)
    expect(dump).toContain(bobInstance)
    for (const needle of needles) expect(dump.toLowerCase(), needle).not.toContain(needle.toLowerCase())

    // No file in the data dir names the account either: not the instances' directories (gone), not
    // the database's own table, index and WAL files (the embedded database is purged on delete).
    for (const f of filesUnder(p.server.dataDir)) {
      for (const needle of needles) {
        expect(f.path.includes(needle) || f.bytes.includes(needle), `${f.path} holds ${needle}`).toBe(false)
      }
    }
  })
})

async function waitForState(p: Portability, user: TestUser, ref: string, want: string): Promise<string> {
  let state = ''
  for (let i = 0; i < 100; i++) {
    state = (await p.api(user, 'GET', `/v1/instances/${ref}`)).body.state
    if (state === want) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return state
}
