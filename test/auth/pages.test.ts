import {describe, expect, it} from 'vitest'
import {startDeviceLogin} from '../helpers/auth.js'
import {useTestServer} from '../helpers/server.js'
import {csrfIn, decideOnPage, grantIdIn, PageClient, signedUpClient} from './page-client.js'

/** Signs up through the form (which must answer 303) and returns the session cookie as set. */
async function sessionCookieOfSignUp(base: string, email: string, password: string, headers: Record<string, string> = {}): Promise<string | undefined> {
  const client = new PageClient(base)
  const form = await client.get('/signup')
  const res = await fetch(`${base}/signup`, {
    method: 'POST',
    redirect: 'manual',
    headers: {'content-type': 'application/x-www-form-urlencoded', cookie: `clawd_csrf=${client.cookies.get('clawd_csrf')}`, ...headers},
    body: new URLSearchParams({csrf: csrfIn(form), email, password, next: '/device'}).toString(),
  })
  expect(res.status).toBe(303)
  return res.headers.getSetCookie().find((c) => c.startsWith('clawd_session='))
}

describe('sign-in and device pages over HTTP', () => {
  const server = useTestServer()

  it('every page carries a strict CSP and anti-framing headers, and loads no script', async () => {
    for (const path of ['/signin', '/signup', '/signin?next=/device']) {
      const page = await new PageClient(server.url).get(path)
      expect(page.status).toBe(200)
      const csp = page.headers.get('content-security-policy')!
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("style-src 'self'")
      expect(csp).toContain("form-action 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("base-uri 'none'")
      expect(csp).not.toContain('script-src')
      expect(page.headers.get('x-frame-options')).toBe('DENY')
      expect(page.headers.get('referrer-policy')).toBe('no-referrer')
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      expect(page.text).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i)
      expect(page.text).toContain('href="/assets/clawd.css"')
    }
    const css = await fetch(`${server.url}/assets/clawd.css`)
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toMatch(/^text\/css/)
  })

  it('the session cookie is HttpOnly and SameSite=Lax (no Secure over plain http)', async () => {
    const cookie = (await sessionCookieOfSignUp(server.url, 'cookie@example.com', 'cookie-password'))!
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; SameSite=Lax/)
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).not.toMatch(/Secure/)
  })

  it('refuses forms without a valid CSRF token, and tokens from another session', async () => {
    const client = new PageClient(server.url)
    await client.get('/signin')
    const missing = await client.post('/signin', {email: 'x@example.com', password: 'whatever1', next: '/device'})
    expect(missing.status).toBe(403)
    expect(missing.text).toContain('This form has expired')
    const forged = await client.post('/signin', {csrf: 'A'.repeat(43), email: 'x@example.com', password: 'whatever1', next: '/device'})
    expect(forged.status).toBe(403)
    // A token minted for another browser's cookie does not fit this one (double submit).
    const other = new PageClient(server.url)
    const otherForm = await other.get('/signin')
    expect((await client.post('/signin', {csrf: csrfIn(otherForm), email: 'x@example.com', password: 'whatever1', next: '/device'})).status).toBe(403)

    const alice = await signedUpClient(server.url, 'csrf-alice@example.com', 'alice-password')
    const bob = await signedUpClient(server.url, 'csrf-bob@example.com', 'bob-password')
    const grant = await startDeviceLogin(server.url)
    const bobsPage = await bob.get(`/device?user_code=${grant.user_code}`)
    const stolen = await alice.post('/device/decision', {csrf: csrfIn(bobsPage), user_code: grant.user_code, grant_id: grantIdIn(bobsPage), decision: 'approve'})
    expect(stolen.status).toBe(403)
    expect(stolen.text).not.toMatch(/at .*\.(ts|js):\d+/)
  })

  it('sign-up explains bad input on the page and refuses a taken email', async () => {
    const client = new PageClient(server.url)
    const form = await client.get('/signup')
    const short = await client.post('/signup', {csrf: csrfIn(form), email: 'short@example.com', password: 'short', next: '/device'})
    expect(short.status).toBe(400)
    expect(short.text).toContain('at least 8 characters')
    expect(short.text).toContain('value="short@example.com"')
    const badEmail = await client.post('/signup', {csrf: csrfIn(form), email: 'not-an-email', password: 'long enough', next: '/device'})
    expect(badEmail.status).toBe(400)
    expect(badEmail.text).toContain('valid email')
    await signedUpClient(server.url, 'taken@example.com', 'first-password')
    const taken = await client.post('/signup', {csrf: csrfIn(form), email: 'Taken@Example.com', password: 'second-password', next: '/device'})
    expect(taken.status).toBe(409)
    expect(taken.text).toContain('already exists')
  })

  it('sign-in: wrong password is a clear message; right password a session; sign-out ends it', async () => {
    await signedUpClient(server.url, 'signin@example.com', 'signin-password')
    const client = new PageClient(server.url)
    const form = await client.get('/signin')
    const wrong = await client.post('/signin', {csrf: csrfIn(form), email: 'signin@example.com', password: 'not-the-password', next: '/device'})
    expect(wrong.status).toBe(401)
    expect(wrong.text).toContain('email or password is incorrect')
    const unknown = await client.post('/signin', {csrf: csrfIn(form), email: 'nobody@example.com', password: 'not-the-password', next: '/device'})
    expect(unknown.status).toBe(401)
    expect(unknown.text).toContain('email or password is incorrect')

    const ok = await client.post('/signin', {csrf: csrfIn(form), email: 'signin@example.com', password: 'signin-password', next: '/device?user_code=BCDF-GHJK'})
    expect(ok).toMatchObject({status: 303, location: '/device?user_code=BCDF-GHJK'})
    const device = await client.get('/device')
    expect(device.status).toBe(200)
    expect(device.text).toContain('signin@example.com')
    const session = client.cookies.get('clawd_session')!

    const out = await client.post('/signout', {csrf: csrfIn(device)})
    expect(out).toMatchObject({status: 303, location: '/signin'})
    // The old cookie is dead on the server, not just dropped by the browser.
    const replay = new PageClient(server.url)
    replay.cookies.set('clawd_session', session)
    expect((await replay.get('/device')).status).toBe(303)
  })

  it('next= cannot redirect off the site', async () => {
    await signedUpClient(server.url, 'redirect@example.com', 'redirect-password')
    for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example', '/device/../signout']) {
      const client = new PageClient(server.url)
      const form = await client.get('/signin')
      const res = await client.post('/signin', {csrf: csrfIn(form), email: 'redirect@example.com', password: 'redirect-password', next})
      // The dashboard: the default, since none of these is one of our own paths.
      expect(res).toMatchObject({status: 303, location: '/'})
    }
  })

  it('the device page needs a session and keeps the code through sign-in', async () => {
    const grant = await startDeviceLogin(server.url)
    const res = await new PageClient(server.url).get(`/device?user_code=${grant.user_code}`)
    expect(res.status).toBe(303)
    expect(res.location).toBe(`/signin?next=${encodeURIComponent(`/device?user_code=${grant.user_code}`)}`)
    const signin = await new PageClient(server.url).get(res.location!)
    expect(signin.text).toContain(`value="/device?user_code=${grant.user_code}"`)
    expect(signin.text).toContain('Sign in to approve the device')
  })

  it('entering a code by hand (any case, with or without the dash) shows the request', async () => {
    const client = await signedUpClient(server.url, 'entry@example.com', 'entry-password')
    const grant = await startDeviceLogin(server.url)
    const entry = await client.get('/device')
    const typed = grant.user_code.replace('-', '').toLowerCase()
    const shown = await client.post('/device', {csrf: csrfIn(entry), user_code: typed})
    expect(shown.status).toBe(200)
    expect(shown.text).toContain(grant.user_code)
    expect(shown.text).toContain('Approve')
    expect(shown.text).toContain('Deny')
    const nonsense = await client.post('/device', {csrf: csrfIn(entry), user_code: 'AEIO-UAEI'})
    expect(nonsense.status).toBe(400)
    expect(nonsense.text).toContain('not a valid code')
    const unknown = await client.post('/device', {csrf: csrfIn(entry), user_code: 'BBBB-BBBB'})
    expect(unknown.status).toBe(404)
    expect(unknown.text).toContain('No sign-in request has this code')
  })

  it('a decided code cannot be decided again', async () => {
    const client = await signedUpClient(server.url, 'twice@example.com', 'twice-password')
    const grant = await startDeviceLogin(server.url)
    expect((await decideOnPage(client, grant.user_code, 'approve')).status).toBe(200)
    const again = await client.get(`/device?user_code=${grant.user_code}`)
    expect(again.status).toBe(409)
    expect(again.text).toContain('already been used')
  })

  it('errors are pages, never stacks or JSON', async () => {
    const client = await signedUpClient(server.url, 'errors@example.com', 'errors-password')
    const entry = await client.get('/device')
    const huge = await client.post('/device', {csrf: csrfIn(entry), user_code: 'x'.repeat(20_000)})
    expect(huge.status).toBe(413)
    expect(huge.headers.get('content-type')).toMatch(/^text\/html/)
    expect(huge.text).not.toMatch(/Error:|at .*:\d+:\d+/)
    const get = await client.get('/signout')
    expect(get.status).toBe(405)
  })
})

describe('user-code entry is rate-limited', () => {
  // Trusting X-Forwarded-For lets one test act from several IPs.
  const server = useTestServer((c) => {
    c.trustProxy = true
  })

  async function guess(client: PageClient, ip: string, n: number): Promise<number[]> {
    const statuses: number[] = []
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${server.url}/device?user_code=BBBB-${'BCDFGHJKLMNPQRSTVWXZ'[i % 20]!.repeat(4)}`, {
        redirect: 'manual',
        headers: {cookie: `clawd_session=${client.cookies.get('clawd_session')}`, 'x-forwarded-for': ip},
      })
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      statuses.push(res.status)
      await res.text()
    }
    return statuses
  }

  it('per IP: many accounts on one address stop after 10 tries', async () => {
    const statuses: number[] = []
    for (let a = 0; a < 3; a++) {
      const client = await signedUpClient(server.url, `ip-${a}@example.com`, 'rate-password')
      statuses.push(...(await guess(client, '198.51.100.7', 4)))
    }
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true)
    expect(statuses.slice(10)).toEqual([429, 429])
  })

  it('per account: one account on many addresses stops after 10 tries, with a clear message', async () => {
    const client = await signedUpClient(server.url, 'acct@example.com', 'rate-password')
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) statuses.push(...(await guess(client, `203.0.113.${i + 1}`, 1)))
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true)
    expect(statuses.slice(10)).toEqual([429, 429])
    const page = await fetch(`${server.url}/device?user_code=BBBB-CCCC`, {headers: {cookie: `clawd_session=${client.cookies.get('clawd_session')}`, 'x-forwarded-for': '203.0.113.99'}})
    expect(await page.text()).toContain('Too many codes tried')
  })

  it('guesses at one email from many addresses never lock its owner out (issue 15)', async () => {
    await signedUpClient(server.url, 'target@example.com', 'the-real-password')
    const attempt = async (ip: string, password: string) => {
      const client = new PageClient(server.url)
      const form = await client.get('/signin')
      const res = await fetch(`${server.url}/signin`, {
        method: 'POST',
        redirect: 'manual',
        headers: {'content-type': 'application/x-www-form-urlencoded', cookie: `clawd_csrf=${client.cookies.get('clawd_csrf')}`, 'x-forwarded-for': ip},
        body: new URLSearchParams({csrf: csrfIn(form), email: 'target@example.com', password, next: '/device'}).toString(),
      })
      return res.status
    }
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) statuses.push(await attempt(`192.0.2.${i + 1}`, `guess-${i}-password`))
    expect(statuses).toEqual(Array(11).fill(401))
    // The owner, from yet another address, is let in.
    expect(await attempt('198.51.100.200', 'the-real-password')).toBe(303)
  })

  it('behind a TLS-terminating proxy the session cookie is Secure', async () => {
    expect(await sessionCookieOfSignUp(server.url, 'tls@example.com', 'tls-password', {'x-forwarded-proto': 'https'})).toMatch(/; Secure/)
  })
})
