import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {encodeByokAad} from '../../src/crypto/byok-aad.js'
import {keyFingerprint} from '../../src/crypto/fingerprint.js'
import {decodePublicKey, sealKey} from '../../src/crypto/hpke.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'
import {call, expectProblem, type Answer} from './http.js'
import {waitRunning} from './world.js'

/**
 * The outbound-address refusal: a key's base URL is where the instance will send requests (with
 * the user's key), so one aimed at link-local or cloud metadata addresses, in any spelling, is
 * refused before anything is stored; loopback and private networks stay usable (a local Ollama),
 * and the operator can allow the rest.
 */
describe('outbound-address refusal for key base URLs', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let user: TestUser
  let instanceId: string
  let version = 0
  const api = (method: string, path: string, body?: unknown) => call(server.url, method, path, {token: user.accessToken, body})

  /** Seals a real key for this base URL (so only the address check can stop it) and uploads it. */
  async function upload(name: string, baseUrl: string): Promise<Answer> {
    const pub = (await api('GET', `/v1/instances/${instanceId}/public-key`)).body
    version++
    const sealed = await sealKey({
      publicKey: decodePublicKey(pub.public_key),
      kid: pub.kid,
      aad: encodeByokAad({userId: user.userId, instanceId, keyName: name, baseUrl, version}),
      plaintext: Buffer.from('sk-outbound-test-0123456789'),
    })
    return api('PUT', `/v1/instances/${instanceId}/keys/${name}`, {kid: pub.kid, ...sealed, version, fingerprint: keyFingerprint('sk-outbound-test-0123456789'), base_url: baseUrl})
  }

  beforeAll(async () => {
    server = await startTestServer()
    user = await newUser(server)
    const created = await api('POST', '/v1/instances', {name: 'egress'})
    expect(created.status, created.text).toBe(202)
    instanceId = created.body.id
    await waitRunning((token, method, path, opts) => call(server.url, method, path, {...opts, token}), user.accessToken, instanceId)
  })
  afterAll(() => server?.dispose())

  const metadata = [
    'http://169.254.169.254/latest/meta-data/',
    'https://169.254.169.254:443/v1',
    'http://169.254.170.2/v2/credentials',
    'http://169.254.169.254.:80/v1',
    'http://[::ffff:169.254.169.254]/v1',
    'http://[::ffff:a9fe:a9fe]/v1',
    'http://0xA9FEA9FE/v1',
    'http://0xa9.0xfe.0xa9.0xfe/v1',
    'http://2852039166/v1',
    'http://0251.0376.0251.0376/v1',
    'http://169.254.1/v1',
    'http://[fe80::1]/v1',
    'http://[fd00:ec2::254]/v1',
    'http://100.100.100.200/v1',
    'http://metadata.google.internal/computeMetadata/v1',
    'http://METADATA.GOOGLE.INTERNAL./v1',
  ]

  it('link-local and metadata addresses, in every spelling, are refused with a 4xx problem and nothing is stored', async () => {
    for (const [name, url] of metadata.flatMap((u) => [['openrouter', u], ['anthropic', u]] as const)) {
      const res = await upload(name, url)
      expectProblem(res, (s) => s >= 400 && s < 500, `${name} ${url}`)
      expect(res.body.code, `${name} ${url}`).toBe('forbidden')
      expect(res.body.detail, url).toMatch(/refused/i)
    }
    expect((await api('GET', `/v1/instances/${instanceId}/keys`)).body.keys).toEqual([])
  })

  it('loopback and private networks stay allowed (a local model server is the point of openai-compatible)', async () => {
    for (const url of ['http://127.0.0.1:11434/v1', 'http://localhost:8000/v1', 'http://10.1.2.3/v1', 'http://192.168.1.20:1234/v1']) {
      const res = await upload('ollama', url)
      expect(res.status, `${url}: ${res.text}`).toBe(200)
      expect(res.body.base_url).toBe(url)
    }
  })

  it('the operator can allow them (--allow-private-egress)', async () => {
    const config = server.ctx.config as typeof server.ctx.config & {allowPrivateEgress: boolean}
    config.allowPrivateEgress = true
    try {
      const res = await upload('openrouter', 'http://169.254.169.254/v1')
      expect(res.status, res.text).toBe(200)
    } finally {
      config.allowPrivateEgress = false
    }
    // And refused again once the operator says no.
    expect((await upload('openrouter', 'http://169.254.169.254/v2')).status).toBe(403)
  })
})
