import {readFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {statusResponseSchema} from '../../src/contract/status.js'
import {json, runCli} from '../helpers/cli.js'
import {type ServerProcess, startServerProcess} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {hasOpenssl, httpsGet, selfSigned} from '../helpers/tls.js'

describe.skipIf(!hasOpenssl())('server start with TLS', {timeout: 120_000}, () => {
  const dir = tempDir('clawd-tls-')
  let pair: {cert: string; key: string}
  let server: ServerProcess
  beforeAll(async () => {
    pair = selfSigned(dir.path, 'server')
    server = await startServerProcess({args: ['--tls-cert', pair.cert, '--tls-key', pair.key, '--sandbox', 'none']})
  })
  afterAll(async () => {
    await server?.stop()
    dir.dispose()
  })

  it('serves https at the printed URL, and the CLI talks to it', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(server.output()).toContain(`clawd API listening on ${server.url}`)
    const r = await runCli(['status', '--json'], {env: {CLAWD_CONFIG_DIR: tempDir('clawd-cli-').path, CLAWD_API_URL: server.url, NODE_EXTRA_CA_CERTS: pair.cert}})
    expect(r.code, r.stderr).toBe(0)
    expect(statusResponseSchema.parse(json(r)).status).toBe('operational')
  })

  it('marks cookies Secure over TLS', async () => {
    const res = await httpsGet(`${server.url}/signin`, readFileSync(pair.cert))
    expect(res.status).toBe(200)
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? [])
    expect(cookies.length).toBeGreaterThan(0)
    for (const cookie of cookies) expect(cookie).toMatch(/; Secure(;|$)/)
  })

  it('refuses to start with a key that is not the certificate’s', async () => {
    const other = selfSigned(dir.path, 'other')
    const r = await runCli(['server', 'start', '--port', '0', '--data-dir', tempDir('clawd-srv-').path, '--tls-cert', pair.cert, '--tls-key', other.key])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('the key does not belong to the certificate')
    expect(r.stderr).not.toContain('PRIVATE KEY')
    const missing = await runCli(['server', 'start', '--port', '0', '--data-dir', tempDir('clawd-srv-').path, '--tls-cert', pair.cert])
    expect(missing.code).toBe(2)
  })
})

describe.skipIf(hasOpenssl())('server start with TLS', () => {
  it.skip('needs openssl on PATH to make a self-signed certificate', () => {})
})
