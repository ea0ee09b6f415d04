import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestServer} from '../helpers/server.js'
import {csrfIn, PageClient, signedUpClient} from './page-client.js'

/**
 * The browser side runs on @fastify/cookie, csrf-protection, formbody and helmet (issue 14). These
 * attack what their configuration must keep: tokens bound to the session and to the secret cookie,
 * a refused /v1 call that does nothing, and page headers that are ours and no more.
 */
describe('the web plugins keep our rules', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let alice: PageClient
  let instance = ''
  const cookieOf = (c: PageClient, drop?: string) =>
    [...c.cookies].filter(([k]) => k !== drop).map(([k, v]) => `${k}=${v}`).join('; ')

  beforeAll(async () => {
    server = await startTestServer()
    alice = await signedUpClient(server.url, 'plugins-alice@example.com', 'plugins alice password')
    const list = await alice.get('/instances')
    const created = await alice.post('/instances', {csrf: csrfIn(list), name: 'plugins-agent', model: 'dev/echo'})
    expect(created.status, created.text).toBe(303)
    instance = created.location!.split('/')[2]!.split('?')[0]!
  }, 120_000)
  afterAll(() => server?.dispose())

  it('a signed-in form refuses a sign-in form’s token and a token without its secret cookie', async () => {
    // A sign-in form with Alice's own secret cookie: its token fits the cookie, not her session.
    const visitor = new PageClient(server.url)
    visitor.cookies.set('clawd_csrf', alice.cookies.get('clawd_csrf')!)
    const visitorToken = csrfIn(await visitor.get('/signin'))
    const refuse = async (csrf: string, cookie: string) => {
      const res = await fetch(`${server.url}/account/sign-out-everywhere`, {
        method: 'POST',
        redirect: 'manual',
        headers: {'content-type': 'application/x-www-form-urlencoded', cookie},
        body: new URLSearchParams({csrf}).toString(),
      })
      expect(res.status).toBe(403)
      expect(await res.text()).toContain('This form has expired')
    }
    await refuse(visitorToken, cookieOf(alice))
    await refuse(csrfIn(await alice.get('/account')), cookieOf(alice, 'clawd_csrf'))
    // Alice is still signed in: nothing happened.
    expect((await alice.get('/account')).status).toBe(200)
  })

  it('a /v1 call refused for its token stops there: 401 problem, no session created', async () => {
    const csrf = csrfIn(await alice.get(`/instances/${instance}/chat`))
    const post = (cookie: string, token: string) =>
      fetch(`${server.url}/v1/instances/${instance}/sessions`, {method: 'POST', headers: {'content-type': 'application/json', cookie, 'x-clawd-csrf': token}, body: '{}'})
    const refused = await post(cookieOf(alice, 'clawd_csrf'), csrf)
    expect(refused.status).toBe(401)
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await refused.json()).toMatchObject({code: 'unauthenticated', hint: 'Reload the page, signing in again if asked.'})
    const list = async () => (await (await fetch(`${server.url}/v1/instances/${instance}/sessions`, {headers: {cookie: cookieOf(alice), 'x-clawd-csrf': csrf}})).json()) as unknown
    const before = JSON.stringify(await list())
    expect((await post(cookieOf(alice), 'A'.repeat(96))).status).toBe(401)
    expect(JSON.stringify(await list())).toBe(before)
    // The page's own token with its cookies works.
    expect((await post(cookieOf(alice), csrf)).status).toBeLessThan(300)
  })

  it('pages carry exactly our security headers; API answers none of them', async () => {
    const page = await fetch(`${server.url}/signin`)
    const names = [...page.headers.keys()]
    for (const extra of ['cross-origin-resource-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection', 'strict-transport-security']) {
      expect(names, extra).not.toContain(extra)
    }
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(page.headers.get('cache-control')).toBe('no-store')
    const api = await fetch(`${server.url}/v1/status`)
    expect(api.headers.get('content-security-policy')).toBeNull()
    expect(api.headers.get('x-frame-options')).toBeNull()
  })
})
