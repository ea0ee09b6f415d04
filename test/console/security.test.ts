import {randomBytes} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DEVICE_GRANT_TYPE} from '../../src/contract/auth.js'
import {csrfIn, decideOnPage, signedUpClient, type PageClient} from '../auth/page-client.js'
import {oauthPost, startDeviceLogin} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'

/**
 * The console's security rules, attacked over HTTP: every page needs a session, every action a
 * CSRF token bound to it, another user's ids are 404 everywhere, no page allows inline script.
 */
describe('console security', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let alice: PageClient
  let bob: PageClient
  let aliceInstance = ''
  let aliceToken = ''
  const fakeSession = 'ses_abcdefghijklmnopqrst'

  beforeAll(async () => {
    server = await startTestServer()
    alice = await signedUpClient(server.url, 'alice-console@example.com', 'alice in the console')
    bob = await signedUpClient(server.url, 'bob-console@example.com', 'bob in the console')
    const list = await alice.get('/instances')
    const created = await alice.post('/instances', {csrf: csrfIn(list), name: 'alice-agent', model: 'dev/echo'})
    expect(created.status, created.text).toBe(303)
    aliceInstance = created.location!.split('/')[2]!.split('?')[0]!
    const account = await alice.get('/account')
    const token = await alice.post('/account/tokens', {csrf: csrfIn(account), name: 'alice-ci', expires_in_days: '30'})
    expect(token.status).toBe(201)
    aliceToken = /action="\/account\/tokens\/(tok_[0-9A-Za-z]+)\/revoke"/.exec(token.text)![1]!
  }, 120_000)
  afterAll(() => server?.dispose())

  const pages = () => [
    '/instances',
    `/instances/${aliceInstance}`,
    `/instances/${aliceInstance}/workspace`,
    `/instances/${aliceInstance}/export.tar`,
    `/instances/${aliceInstance}/keys`,
    `/instances/${aliceInstance}/sessions`,
    `/instances/${aliceInstance}/sessions/${fakeSession}`,
    `/instances/${aliceInstance}/logs`,
    `/instances/${aliceInstance}/chat`,
    '/account',
    '/account/export.tar',
  ]
  const actions = () => [
    `/instances/${aliceInstance}/pause`,
    `/instances/${aliceInstance}/resume`,
    `/instances/${aliceInstance}/delete`,
    `/instances/${aliceInstance}/workspace/file`,
    `/instances/${aliceInstance}/keys/anthropic/delete`,
    `/instances/${aliceInstance}/sessions/${fakeSession}/delete`,
    `/instances/${aliceInstance}/sessions/clear`,
    `/account/tokens/${aliceToken}/revoke`,
  ]

  it('every console page needs a session: signed out, it sends the browser to sign in', async () => {
    const { PageClient } = await import('../auth/page-client.js')
    const stranger = new PageClient(server.url)
    for (const path of pages()) {
      const res = await stranger.get(path)
      expect(res.status, path).toBe(303)
      expect(res.location, path).toMatch(/^\/signin/)
    }
    // `/` is the public start page when signed out, never the dashboard.
    const home = await stranger.get('/')
    expect(home.status).toBe(200)
    expect(home.text).toContain('Create an account')
    expect(home.text).not.toContain('Dashboard</h1>')
  })

  it('every action refuses a missing or foreign CSRF token, and changes nothing', async () => {
    const bobsForm = csrfIn(await bob.get('/account'))
    for (const path of [...actions(), '/instances', '/account/tokens', '/account/delete', '/account/sign-out-everywhere']) {
      expect((await alice.post(path, {confirm: 'alice-agent', confirm_email: 'alice-console@example.com', name: 'x'})).status, path).toBe(403)
      // A token from another session (Bob's) is not Alice's.
      expect((await alice.post(path, {csrf: bobsForm, confirm: 'alice-agent', confirm_email: 'alice-console@example.com', name: 'x'})).status, path).toBe(403)
    }
    expect((await alice.get(`/instances/${aliceInstance}`)).status).toBe(200)
    expect((await alice.get('/account')).text).toContain('alice-ci')
  })

  it("another user's ids answer 404 on every page and every action", async () => {
    for (const path of pages().filter((p) => p.includes(aliceInstance))) expect((await bob.get(path)).status, path).toBe(404)
    const csrf = csrfIn(await bob.get('/account'))
    for (const path of actions()) {
      const res = await bob.post(path, {csrf, confirm: 'alice-agent', path: 'SOUL.md', content: '# pwned'})
      expect(res.status, path).toBe(404)
    }
    // Alice still has everything.
    expect((await alice.get(`/instances/${aliceInstance}`)).status).toBe(200)
    expect((await alice.get('/account')).text).toContain('alice-ci')
  })

  it('no page allows inline script: scripted pages load only our own module files', async () => {
    const home = await alice.get('/')
    const all = [...pages().filter((p) => !p.endsWith('.tar') && !p.includes(fakeSession)), '/', '/status']
    for (const path of all) {
      const res = await alice.get(path)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp, path).toMatch(/default-src 'none'/)
      expect(csp, path).not.toMatch(/unsafe-inline|unsafe-eval|\*/)
      if (/script-src/.test(csp)) expect(csp, path).toMatch(/script-src 'self';/)
      // Every <script> names a file of ours; none carries code.
      for (const tag of res.text.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? []) expect(tag, path).toMatch(/^<script type="module" src="\/assets\/console\/[a-z-]+\.js"><\/script>$/)
    }
    expect(home.headers.get('content-security-policy')).not.toMatch(/script-src/)
  })

  it('the static modules are served from the package, and nothing else is', async () => {
    for (const path of ['/assets/console/seal-key.js', '/assets/lib/crypto/byok-aad.js', '/assets/lib/crypto/byok-suite.js', '/assets/lib/sse/parser.js', '/assets/vendor/hpke-core/mod.js']) {
      const res = await fetch(server.url + path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type'), path).toMatch(/^text\/javascript/)
      expect(await res.text(), path).not.toMatch(/from\s*["']@hpke\//)
    }
    for (const path of [
      '/assets/vendor/hpke-core/../package.json',
      '/assets/vendor/hpke-core/%2e%2e/%2e%2e/package.json',
      '/assets/vendor/nope/mod.js',
      '/assets/lib/crypto/hpke.js',
      '/assets/lib/crypto/x25519.js',
      '/assets/lib/sse/read.js',
      '/assets/lib/server/gateway.js',
      '/assets/lib/constructor/parser.js',
      '/assets/lib/__proto__/parser.js',
      '/assets/lib/%2e%2e/sse/parser.js',
      '/assets/console/../index.ts',
    ]) {
      expect((await fetch(server.url + path)).status, path).toBe(404)
    }
  })

  it('the /v1 routes the console scripts call take a session only with its CSRF header', async () => {
    const cookie = [...alice.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const put = (headers: Record<string, string>) =>
      fetch(`${server.url}/v1/instances/${aliceInstance}/sessions`, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body: '{}'})
    expect((await put({cookie})).status).toBe(401)
    expect((await put({cookie, 'x-clawd-csrf': 'A'.repeat(43)})).status).toBe(401)
    const bobsCsrf = csrfIn(await bob.get('/account'))
    expect((await put({cookie, 'x-clawd-csrf': bobsCsrf})).status).toBe(401)
    // Routes outside the console's needs never take a session.
    const aliceCsrf = csrfIn(await alice.get('/account'))
    expect((await fetch(`${server.url}/v1/tokens`, {headers: {cookie, 'x-clawd-csrf': aliceCsrf}})).status).toBe(401)
    expect((await fetch(`${server.url}/v1/instances`, {headers: {cookie, 'x-clawd-csrf': aliceCsrf}})).status).toBe(401)
  })

  it('a workspace file larger than the sign-in forms allow can be saved, and the secret scan still applies', async () => {
    const page = await alice.get(`/instances/${aliceInstance}/workspace?file=MEMORY.md`)
    expect(page.status, page.text.slice(0, 300)).toBe(200)
    const big = `# Memory\n\n${'A line of notes that goes on for a while. '.repeat(2500)}\n`
    const saved = await alice.post(`/instances/${aliceInstance}/workspace/file`, {csrf: csrfIn(page), path: 'MEMORY.md', content: big})
    expect(saved.status, saved.text.slice(0, 500)).toBe(303)
    const shown = await alice.get(`/instances/${aliceInstance}/workspace?file=MEMORY.md`)
    expect(shown.text).toContain('A line of notes that goes on for a while.')
    const secret = await alice.post(`/instances/${aliceInstance}/workspace/file`, {csrf: csrfIn(page), path: 'MEMORY.md', content: `key sk-ant-api03-${randomBytes(40).toString('hex')}`})
    expect(secret.status).toBe(422)
    expect(secret.text).toContain('Nothing was changed')
  }, 60_000)

  it('sign out everywhere ends every browser session and device login', async () => {
    const other = await (async () => {
      const { PageClient } = await import('../auth/page-client.js')
      const c = new PageClient(server.url)
      const form = await c.get('/signin')
      const res = await c.post('/signin', {csrf: csrfIn(form), email: 'bob-console@example.com', password: 'bob in the console', next: '/'})
      expect(res.status).toBe(303)
      return c
    })()
    // A device login (the CLI's), approved on the page.
    const grant = await startDeviceLogin(server.url, 'clawd-cli')
    expect((await decideOnPage(bob, grant.user_code, 'approve')).status).toBe(200)
    const tokens = await oauthPost(`${server.url}/oauth/token`, {grant_type: DEVICE_GRANT_TYPE, device_code: grant.device_code, client_id: 'clawd-cli'})
    const me = () => fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${tokens.body.access_token}`}})
    expect((await me()).status).toBe(200)
    expect((await bob.get('/account')).text).toContain('Device login <code>clawd-cli</code>')

    const res = await bob.post('/account/sign-out-everywhere', {csrf: csrfIn(await bob.get('/account'))})
    expect(res).toMatchObject({status: 303, location: '/signin'})
    expect((await me()).status).toBe(401)
    const refresh = await oauthPost(`${server.url}/oauth/token`, {grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: 'clawd-cli'})
    expect(refresh.status).toBe(400)
    expect((await bob.get('/account')).status).toBe(303)
    expect((await other.get('/account')).status).toBe(303)
  })
})

describe('console request budget', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  beforeAll(async () => {
    server = await startTestServer((c) => (c.rateLimits.perToken = {requests: 3, windowMs: 60_000}))
  })
  afterAll(() => server?.dispose())

  it('a browser session spends the same per-token budget as an API token, and hears 429 with Retry-After', async () => {
    const client = await signedUpClient(server.url, 'budget@example.com', 'budget for the console')
    for (let i = 0; i < 3; i++) expect((await client.get('/account')).status).toBe(200)
    const refused = await client.get('/account')
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.text).toContain('Too many requests from this browser session')
  })
})
