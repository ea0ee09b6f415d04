import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {judgePassword} from '../../src/server/auth/password-strength.js'
import {delayAfter, MAX_DELAY_SEC} from '../../src/server/auth/signin-throttle.js'
import {redactUserCodes} from '../../src/server/auth/redact-url.js'
import {csrfIn, PageClient, signedUpClient} from '../auth/page-client.js'
import {oauthPost} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {hasOpenssl, httpsGet, selfSigned} from '../helpers/tls.js'

type Server = Awaited<ReturnType<typeof startTestServer>>

/** A browser at a given address: Fastify's inject sets the peer address, as a real client would. */
class InjectedBrowser {
  cookies = new Map<string, string>()
  constructor(
    readonly server: Server,
    readonly ip: string,
  ) {}
  private keep(setCookie: string | string[] | undefined) {
    for (const line of [setCookie ?? []].flat()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1))
    }
  }
  private get cookie() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
  async signIn(email: string, password: string): Promise<{status: number; retryAfter?: string; text: string}> {
    const form = await this.server.app.inject({method: 'GET', url: '/signin', remoteAddress: this.ip, headers: {cookie: this.cookie}})
    this.keep(form.headers['set-cookie'])
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!
    const res = await this.server.app.inject({
      method: 'POST',
      url: '/signin',
      remoteAddress: this.ip,
      headers: {cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded'},
      payload: new URLSearchParams({csrf, email, password, next: '/'}).toString(),
    })
    return {status: res.statusCode, retryAfter: res.headers['retry-after'] as string | undefined, text: res.body}
  }
}

describe('sign-in hardening', () => {
  let server: Server
  let now = Date.parse('2030-01-01T00:00:00Z')
  const clock = {now: () => now}

  beforeAll(async () => {
    server = await startTestServer(() => {}, {clock})
    await signedUpClient(server.url, 'owner@example.com', 'the owner knows this one')
  })
  afterAll(() => server?.dispose())

  it('wrong passwords earn growing delays per address and email; the owner elsewhere is never locked out', async () => {
    const attacker = new InjectedBrowser(server, '203.0.113.9')
    const owner = new InjectedBrowser(server, '198.51.100.7')
    for (let i = 1; i <= 5; i++) expect((await attacker.signIn('owner@example.com', `guess-${i}`)).status, `guess ${i}`).toBe(401)
    const waits: number[] = []
    for (let round = 0; round < 4; round++) {
      const refused = await attacker.signIn('owner@example.com', 'another guess')
      expect(refused.status).toBe(429)
      expect(refused.text).toContain('Too many sign-in attempts')
      waits.push(Number(refused.retryAfter))
      now += Number(refused.retryAfter) * 1000
      expect((await attacker.signIn('owner@example.com', `after-wait-${round}`)).status).toBe(401)
    }
    // 2, 4, 8, 16 seconds: each failure doubles the wait.
    expect(waits).toEqual([2, 4, 8, 16])

    // The owner, at another address, signs in at once; a typo there costs no wait either.
    expect((await owner.signIn('owner@example.com', 'a typo')).status).toBe(401)
    expect((await owner.signIn('owner@example.com', 'the owner knows this one')).status).toBe(303)
    // The attacker's address stays slowed down, even with the right password.
    expect((await attacker.signIn('owner@example.com', 'the owner knows this one')).status).toBe(429)
    // Other emails from the attacker's address are not delayed by these failures (the per-address
    // bucket bounds spraying across emails).
    expect((await attacker.signIn('nobody@example.com', 'x')).status).toBe(401)
  })

  it('the delay grows to a cap and never past it', () => {
    expect([1, 4, 5, 6, 10].map(delayAfter)).toEqual([0, 0, 2, 4, 64])
    expect(delayAfter(100)).toBe(MAX_DELAY_SEC)
  })

  it('a correct sign-in clears the address’s failures', async () => {
    const person = new InjectedBrowser(server, '192.0.2.44')
    for (let i = 0; i < 5; i++) await person.signIn('owner@example.com', `oops-${i}`)
    expect((await person.signIn('owner@example.com', 'the owner knows this one')).status).toBe(429)
    now += 3_000
    expect((await person.signIn('owner@example.com', 'the owner knows this one')).status).toBe(303)
    expect((await person.signIn('owner@example.com', 'oops again')).status).toBe(401)
    expect((await person.signIn('owner@example.com', 'the owner knows this one')).status).toBe(303)
  })

  it('refuses common and weak passwords at sign-up, and says why', async () => {
    const client = new PageClient(server.url)
    for (const [password, why] of [
      ['password', /ten most used passwords/],
      ['12345678', /ten most used passwords/],
      ['aaaaaaaa', /repeats the same character/],
      ['qwertyuiop', /hundred most used|row of keys/],
      ['weakling@example.com', /email address|guess/],
    ] as const) {
      const form = await client.get('/signup')
      const res = await client.post('/signup', {csrf: csrfIn(form), email: 'weakling@example.com', password, next: '/'})
      expect(res.status, password).toBe(400)
      expect(res.text, password).toMatch(/too easy to guess/)
      expect(res.text, password).toMatch(why)
    }
    const form = await client.get('/signup')
    expect((await client.post('/signup', {csrf: csrfIn(form), email: 'weakling@example.com', password: 'lantern orchard 1987 sleet', next: '/'})).status).toBe(303)
  })

  it('judges with zxcvbn-ts and the email as context', async () => {
    expect((await judgePassword('password')).ok).toBe(false)
    expect((await judgePassword('correct horse battery staple')).ok).toBe(true)
    // The email is context: on its own this would pass, as the account's own email it does not.
    expect((await judgePassword('weakling@example.com')).ok).toBe(true)
    expect(await judgePassword('weakling@example.com', ['weakling@example.com'])).toMatchObject({ok: false, reason: expect.stringMatching(/email address/)})
  })

  it('limits /oauth/device_authorization per address, with Retry-After; another address is unaffected', async () => {
    const ask = (ip: string) =>
      server.app.inject({method: 'POST', url: '/oauth/device_authorization', remoteAddress: ip, headers: {'content-type': 'application/x-www-form-urlencoded'}, payload: 'client_id=clawd-cli'})
    const answers = await Promise.all(Array.from({length: 60}, () => ask('203.0.113.50')))
    const ok = answers.filter((a) => a.statusCode === 200)
    const limited = answers.filter((a) => a.statusCode === 429)
    expect(ok.length).toBeGreaterThan(0)
    expect(ok.length).toBeLessThanOrEqual(31)
    expect(limited.length).toBeGreaterThanOrEqual(29)
    expect(JSON.parse(limited[0]!.body)).toMatchObject({error: 'slow_down'})
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThan(0)
    expect((await ask('198.51.100.50')).statusCode).toBe(200)
  })

  it('keeps device user codes out of the request log', async () => {
    const grant = await oauthPost(`${server.url}/oauth/device_authorization`, {client_id: 'clawd-cli'})
    const code = grant.body.user_code as string
    await fetch(`${server.url}/device?user_code=${code}`, {redirect: 'manual'})
    await fetch(`${server.url}/signin?next=${encodeURIComponent(`/device?user_code=${code}`)}`, {redirect: 'manual'})
    await fetch(`${server.url}/device?user_code=${code.toLowerCase().replace('-', '')}`, {redirect: 'manual'})
    const logs = server.logs()
    expect(logs).toContain('user_code=[redacted]')
    expect(logs).toContain('user_code%3D[redacted]')
    for (const form of [code, code.replace('-', ''), code.toLowerCase().replace('-', '')]) expect(logs).not.toContain(form)
    expect(redactUserCodes('/device?x=1&user_code=BCDF-GHJK&y=2')).toBe('/device?x=1&user_code=[redacted]&y=2')
  })
})

describe.skipIf(!hasOpenssl())('HSTS', () => {
  let tls: Server
  let plain: Server
  const dir = tempDir('clawd-hsts-')
  const cert = join(dir.path, 'cert.pem')
  const key = join(dir.path, 'cert.key')

  beforeAll(async () => {
    selfSigned(dir.path, 'cert')
    tls = await startTestServer((c) => (c.tls = {certFile: cert, keyFile: key}))
    plain = await startTestServer()
  })
  afterAll(async () => {
    await tls?.dispose()
    await plain?.dispose()
    dir.dispose()
  })

  const httpsHeaders = async (url: string) => (await httpsGet(url, readFileSync(cert))).headers

  it('is sent on every answer over TLS: pages, the API, errors', async () => {
    expect(tls.url).toMatch(/^https:/)
    for (const path of ['/signin', '/', '/v1/status', '/v1/instances', '/no-such-page']) {
      expect((await httpsHeaders(tls.url + path))['strict-transport-security'], path).toBe('max-age=31536000')
    }
  })

  it('is never sent over plain http', async () => {
    for (const path of ['/signin', '/v1/status']) expect((await fetch(plain.url + path)).headers.get('strict-transport-security'), path).toBeNull()
  })
})
