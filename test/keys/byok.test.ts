import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {encodeByokAad} from '../../src/crypto/byok-aad.js'
import {keyFingerprint} from '../../src/crypto/fingerprint.js'
import {decodePublicKey, sealKey} from '../../src/crypto/hpke.js'
import {packageRoot} from '../../src/paths.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {runCli} from '../helpers/cli.js'
import {startProviderServer, type ProviderServer} from '../helpers/provider-server.js'
import {startTestServer} from '../helpers/server.js'
import {collectSse} from '../helpers/sse.js'

type Server = Awaited<ReturnType<typeof startTestServer>>

/** BYOK at the API boundary: every replay is refused with a clear problem, and keys survive restarts. */
describe('BYOK keys', () => {
  let server: Server
  let provider: ProviderServer
  let user: TestUser
  let a: {id: string; kid: string; public_key: string}
  let b: {id: string; kid: string; public_key: string}
  const secret = `sk-ant-canary-${randomBytes(8).toString('hex')}`

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: {authorization: `Bearer ${user.accessToken}`, ...(body ? {'content-type': 'application/json'} : {})},
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    return {status: res.status, body: text ? JSON.parse(text) : undefined}
  }
  const running = async (name: string) => {
    const created = await api('POST', '/v1/instances', {name, model: 'anthropic/claude-test'})
    expect(created.status, JSON.stringify(created.body)).toBe(202)
    for (let i = 0; i < 300; i++) {
      const got = await api('GET', `/v1/instances/${created.body.id}`)
      if (got.body.state === 'running') break
      await new Promise((r) => setTimeout(r, 100))
    }
    const pub = await api('GET', `/v1/instances/${created.body.id}/public-key`)
    expect(pub.status).toBe(200)
    return {id: created.body.id as string, ...pub.body}
  }
  /** Seals like the CLI does, with any field of the AAD or the target chosen by the test. */
  const seal = async (to: {kid: string; public_key: string}, aad: {instanceId: string; keyName: string; version: number; baseUrl?: string}) => {
    const sealed = await sealKey({
      publicKey: decodePublicKey(to.public_key),
      kid: to.kid,
      aad: encodeByokAad({userId: user.userId, baseUrl: '', ...aad}),
      plaintext: Buffer.from(secret),
    })
    return {kid: to.kid, ...sealed, version: aad.version, fingerprint: keyFingerprint(secret), ...(aad.baseUrl ? {base_url: aad.baseUrl} : {})}
  }

  beforeAll(async () => {
    provider = await startProviderServer({fixture: 'anthropic/basic'})
    server = await startTestServer((c) => {
      c.providerBaseUrls.anthropic = provider.url
      c.egressAllow.push('127.0.0.1')
    })
    user = await newUser(server)
    a = await running('alpha')
    b = await running('beta')
  })
  afterAll(async () => {
    await server?.dispose()
    await provider?.close()
  })

  it('stores a sealed key: only metadata comes back, with the CLI’s fingerprint', async () => {
    const put = await api('PUT', `/v1/instances/${a.id}/keys/anthropic`, await seal(a, {instanceId: a.id, keyName: 'anthropic', version: 1}))
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    expect(put.body).toMatchObject({name: 'anthropic', provider: 'anthropic', version: 1, fingerprint: keyFingerprint(secret)})
    expect(JSON.stringify(put.body)).not.toMatch(/"(ct|enc)"/)
    const list = await api('GET', `/v1/instances/${a.id}/keys`)
    expect(list.body.keys.map((k: {name: string}) => k.name)).toEqual(['anthropic'])
  })

  it('refuses a ciphertext made for instance A posted to instance B (unknown kid there)', async () => {
    const put = await api('PUT', `/v1/instances/${b.id}/keys/anthropic`, await seal(a, {instanceId: a.id, keyName: 'anthropic', version: 5}))
    expect(put.status).toBe(409)
    expect(put.body.detail).toMatch(/kid/)
  })

  it('refuses a ciphertext sealed to B’s key but bound to A (the API rebuilds the AAD itself)', async () => {
    const put = await api('PUT', `/v1/instances/${b.id}/keys/anthropic`, await seal(b, {instanceId: a.id, keyName: 'anthropic', version: 1}))
    expect(put.status).toBe(400)
    expect(put.body.detail).toMatch(/does not open/)
  })

  it('refuses a ciphertext made for name X posted as name Y', async () => {
    const put = await api('PUT', `/v1/instances/${a.id}/keys/openai`, await seal(a, {instanceId: a.id, keyName: 'anthropic', version: 1}))
    expect(put.status).toBe(400)
    expect(put.body.code).toBe('validation_failed')
  })

  it('refuses an older or equal version, so an old ciphertext cannot be replayed', async () => {
    const replay = await api('PUT', `/v1/instances/${a.id}/keys/anthropic`, await seal(a, {instanceId: a.id, keyName: 'anthropic', version: 1}))
    expect(replay.status).toBe(409)
    expect(replay.body.detail).toMatch(/not newer/)
  })

  it('refuses an unknown kid', async () => {
    const body = await seal(a, {instanceId: a.id, keyName: 'anthropic', version: 9})
    const put = await api('PUT', `/v1/instances/${a.id}/keys/anthropic`, {...body, kid: '0123456789abcdef'})
    expect(put.status).toBe(409)
    expect(put.body.hint).toMatch(/keys set/)
  })

  it('refuses a key whose endpoint was swapped after sealing (base URL is bound)', async () => {
    const body = await seal(a, {instanceId: a.id, keyName: 'ollama', version: 1, baseUrl: 'http://127.0.0.1:11434/v1'})
    const put = await api('PUT', `/v1/instances/${a.id}/keys/ollama`, {...body, base_url: 'https://elsewhere.example/v1'})
    expect(put.status).toBe(400)
    const ok = await api('PUT', `/v1/instances/${a.id}/keys/ollama`, body)
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
  })

  it('survives an instance restart and a server restart, and reaches the provider in its auth header', async () => {
    const chat = async () => {
      const s = await api('POST', `/v1/instances/${a.id}/sessions`, {})
      const res = await fetch(`${server.url}/v1/instances/${a.id}/sessions/${s.body.id}/messages`, {
        method: 'POST',
        headers: {authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json'},
        body: JSON.stringify({content: 'hi'}),
      })
      const events = await collectSse(res)
      expect(events.at(-1)!.data.type, JSON.stringify(events.at(-1))).toBe('message.end')
      expect(provider.requests.at(-1)!.headers['x-api-key']).toBe(secret)
    }
    await chat()
    expect((await api('POST', `/v1/instances/${a.id}/pause`)).status).toBe(202)
    for (let i = 0; i < 100 && (await api('GET', `/v1/instances/${a.id}`)).body.state !== 'paused'; i++) await new Promise((r) => setTimeout(r, 100))
    await chat() // resumes transparently
    const dataDir = server.dataDir
    await server.close()
    server = await startTestServer(
      (c) => {
        c.providerBaseUrls.anthropic = provider.url
        c.egressAllow.push('127.0.0.1')
      },
      {dataDir},
    )
    await chat()
    expect(server.logs().includes(secret)).toBe(false)
  })

  it('deletes a key from the instance and the store at once', async () => {
    expect((await api('DELETE', `/v1/instances/${a.id}/keys/ollama`)).status).toBe(200)
    expect((await api('GET', `/v1/instances/${a.id}/keys`)).body.keys.map((k: {name: string}) => k.name)).toEqual(['anthropic'])
    expect((await api('DELETE', `/v1/instances/${a.id}/keys/ollama`)).status).toBe(404)
  })

  it('no command takes a key as a flag value (it would show in ps and shell history)', () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'oclif.manifest.json'), 'utf8'))
    expect(Object.keys(manifest.commands['keys:set'].flags).sort()).toEqual(['api', 'base-url', 'from-env', 'instance', 'json'])
    for (const [id, cmd] of Object.entries<any>(manifest.commands)) {
      for (const name of Object.keys(cmd.flags)) expect(`${id} --${name}`).not.toMatch(/--(key|api-key|secret|password|value)$/)
    }
  })

  it('keys set without a TTY reads stdin; with empty stdin it exits 2 with a hint', async () => {
    const env = {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli')}
    const empty = await runCli(['keys', 'set', 'dev', '-i', 'alpha'], {env, input: ''})
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/Hint: .*(stdin|--from-env)/)
    const ok = await runCli(['keys', 'set', 'dev', '-i', 'alpha', '--json'], {env, input: 'dev-key\n'})
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({name: 'dev', fingerprint: keyFingerprint('dev-key')})
  })
})
