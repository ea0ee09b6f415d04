import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createTokenResponseSchema, DEVICE_GRANT_TYPE} from '../../src/contract/auth.js'
import {newUser, oauthPost, startDeviceLogin} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'
import {csrfIn, decideOnPage, PageClient, signedUpClient} from './page-client.js'

/**
 * DESIGN §1, "credentials are never stored in clear": after every kind of credential has been
 * issued, used, refreshed and mistyped, neither a full dump of the database nor the server's log
 * output contains any of them.
 */
describe('no credential in clear in the database or the logs', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  const secrets: string[] = []
  beforeAll(async () => {
    server = await startTestServer((c) => {
      c.logLevel = 'trace'
    })
  })
  afterAll(() => server.dispose())

  it('exercise every credential', async () => {
    const user = await newUser(server, 'canary@example.com')
    secrets.push(user.password, user.accessToken, user.refreshToken)
    const auth = {authorization: `Bearer ${user.accessToken}`}
    expect((await fetch(`${server.url}/v1/me`, {headers: auth})).status).toBe(200)

    const pat = createTokenResponseSchema.parse(await (await fetch(`${server.url}/v1/tokens`, {method: 'POST', headers: {...auth, 'content-type': 'application/json'}, body: JSON.stringify({name: 'canary'})})).json())
    secrets.push(pat.token)
    expect((await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${pat.token}`}})).status).toBe(200)

    const rotated = await oauthPost(`${server.url}/oauth/token`, {grant_type: 'refresh_token', refresh_token: user.refreshToken})
    secrets.push(rotated.body.access_token, rotated.body.refresh_token)
    // A replay (which revokes the family and logs a warning) must not log the token either.
    expect((await oauthPost(`${server.url}/oauth/token`, {grant_type: 'refresh_token', refresh_token: user.refreshToken})).status).toBe(400)

    const pagePassword = 'page-password-canary-1'
    const browser = await signedUpClient(server.url, 'canary-page@example.com', pagePassword)
    secrets.push(pagePassword, browser.cookies.get('clawd_session')!, browser.cookies.get('clawd_csrf')!)
    const pending = await startDeviceLogin(server.url)
    secrets.push(pending.device_code)
    const approved = await startDeviceLogin(server.url)
    secrets.push(approved.device_code)
    expect((await decideOnPage(browser, approved.user_code, 'approve')).status).toBe(200)
    const issued = await oauthPost(`${server.url}/oauth/token`, {grant_type: DEVICE_GRANT_TYPE, device_code: approved.device_code, client_id: 'clawd-test'})
    secrets.push(issued.body.access_token, issued.body.refresh_token)
    await oauthPost(`${server.url}/oauth/revoke`, {token: issued.body.refresh_token})

    // Failed attempts carry credentials too.
    const stranger = new PageClient(server.url)
    const form = await stranger.get('/signin')
    const wrongPassword = 'wrong-password-canary-2'
    secrets.push(wrongPassword)
    expect((await stranger.post('/signin', {csrf: csrfIn(form), email: 'canary@example.com', password: wrongPassword, next: '/device'})).status).toBe(401)
    const typo = user.accessToken.slice(0, -2) + 'zz'
    secrets.push(typo)
    expect((await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${typo}`}})).status).toBe(401)

    expect(secrets.every((s) => typeof s === 'string' && s.length >= 16)).toBe(true)
  })

  it('a dump of every table holds none of them', async () => {
    const dump = await server.ctx.db.asSystem(async (q) => {
      const tables = await q.query<{name: string}>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
      )
      let text = ''
      for (const {name} of tables) {
        const rows = await q.query<{row: string}>(`SELECT t::text AS row FROM "${name}" t`)
        text += `${name}\n${rows.map((r) => r.row).join('\n')}\n`
      }
      return text
    })
    // The dump is real: it holds the rows we made.
    expect(dump).toContain('canary@example.com')
    expect(dump).toMatch(/tokens\n.*tok_/)
    expect(dump).toContain('scrypt$')
    for (const secret of secrets) expect(dump.includes(secret), `a credential is in the database dump`).toBe(false)
  })

  it('the server’s log output holds none of them', () => {
    const logs = server.logs()
    expect(logs).toContain('"url":"/v1/me"')
    expect(logs).toContain('refresh token reused')
    for (const secret of secrets) expect(logs.includes(secret), `a credential is in the logs`).toBe(false)
  })
})
