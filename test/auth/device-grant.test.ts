import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DEVICE_GRANT_TYPE, deviceAuthorizationResponseSchema, oauthErrorSchema, serverMetadataSchema, tokenResponseSchema} from '../../src/contract/auth.js'
import {adminRequest, oauthPost, startDeviceLogin} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'
import {decideOnPage, signedUpClient} from './page-client.js'

/** A clock the test moves by hand, so expiry and polling intervals need no waiting. */
function fakeClock(start = Date.parse('2030-01-01T00:00:00Z')) {
  const clock = {t: start, now: () => clock.t, advance: (ms: number) => void (clock.t += ms)}
  return clock
}

describe('OAuth device authorization grant (RFC 8628)', () => {
  const clock = fakeClock()
  let server: Awaited<ReturnType<typeof startTestServer>>
  let token: string
  const email = 'device@example.com'

  beforeAll(async () => {
    server = await startTestServer(undefined, {clock})
    token = `${server.url}/oauth/token`
    const created = await adminRequest(server.adminSocket, 'POST', '/admin/users', {email, password: 'device-password'})
    expect(created.status).toBe(201)
  })
  afterAll(() => server.dispose())

  const poll = (deviceCode: string, clientId = 'clawd-test') => oauthPost(token, {grant_type: DEVICE_GRANT_TYPE, device_code: deviceCode, client_id: clientId})
  const approve = (userCode: string) => adminRequest(server.adminSocket, 'POST', '/admin/device/approve', {user_code: userCode, email})

  it('publishes RFC 8414 metadata with the issuer and endpoints', async () => {
    const res = await fetch(`${server.url}/.well-known/oauth-authorization-server`)
    expect(res.status).toBe(200)
    const meta = serverMetadataSchema.parse(await res.json())
    expect(meta).toMatchObject({
      issuer: server.url,
      device_authorization_endpoint: `${server.url}/oauth/device_authorization`,
      token_endpoint: `${server.url}/oauth/token`,
      revocation_endpoint: `${server.url}/oauth/revoke`,
    })
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining([DEVICE_GRANT_TYPE, 'refresh_token']))
  })

  it('happy path: authorize, pending, approve, tokens; the code works once', async () => {
    const grant = await startDeviceLogin(server.url)
    deviceAuthorizationResponseSchema.parse(grant)
    expect(grant.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    expect(grant).toMatchObject({expires_in: 600, interval: 5, verification_uri: `${server.url}/device`})
    expect(grant.verification_uri_complete).toBe(`${server.url}/device?user_code=${grant.user_code}`)

    const pending = await poll(grant.device_code)
    expect(pending).toMatchObject({status: 400, body: {error: 'authorization_pending'}})
    oauthErrorSchema.parse(pending.body)

    const approved = await approve(grant.user_code.toLowerCase())
    expect(approved).toMatchObject({status: 200, body: {user_code: grant.user_code, client_id: 'clawd-test', client_ip: '127.0.0.1', email}})

    clock.advance(5_000)
    const issued = await poll(grant.device_code)
    expect(issued.status).toBe(200)
    const tokens = tokenResponseSchema.parse(issued.body)
    expect(tokens).toMatchObject({token_type: 'Bearer', expires_in: 3600})
    const me = await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${tokens.access_token}`}})
    expect(await me.json()).toMatchObject({email})

    clock.advance(5_000)
    expect(await poll(grant.device_code)).toMatchObject({status: 400, body: {error: 'invalid_grant'}})
    // Nor can the user code be approved again.
    expect((await approve(grant.user_code)).status).toBe(409)
  })

  it('slow_down when polling faster than the interval, and the interval grows by 5 s each time', async () => {
    const grant = await startDeviceLogin(server.url)
    expect((await poll(grant.device_code)).body.error).toBe('authorization_pending')
    clock.advance(1_000)
    expect((await poll(grant.device_code)).body.error).toBe('slow_down')
    // The interval is now 10 s: 6 s later is still too fast.
    clock.advance(6_000)
    expect((await poll(grant.device_code)).body.error).toBe('slow_down')
    // Now 15 s; waiting that long is fine.
    clock.advance(15_000)
    expect((await poll(grant.device_code)).body.error).toBe('authorization_pending')
  })

  it('access_denied after the person denies it on the device page', async () => {
    const browser = await signedUpClient(server.url, 'denier@example.com', 'denier-password')
    const grant = await startDeviceLogin(server.url)
    const done = await decideOnPage(browser, grant.user_code, 'deny')
    expect(done.status).toBe(200)
    expect(done.text).toContain('Request denied')
    expect(await poll(grant.device_code)).toMatchObject({status: 400, body: {error: 'access_denied'}})
  })

  it('expired_token once the code outlives its lifetime; it can no longer be approved', async () => {
    const grant = await startDeviceLogin(server.url)
    clock.advance(10 * 60_000)
    expect(await poll(grant.device_code)).toMatchObject({status: 400, body: {error: 'expired_token'}})
    const late = await approve(grant.user_code)
    expect(late).toMatchObject({status: 409, body: {code: 'wrong_state'}})
  })

  it('invalid_grant for an unknown device code or another client’s code', async () => {
    expect(await poll('not-a-real-device-code')).toMatchObject({status: 400, body: {error: 'invalid_grant'}})
    const grant = await startDeviceLogin(server.url, 'client-a')
    expect(await poll(grant.device_code, 'client-b')).toMatchObject({status: 400, body: {error: 'invalid_grant'}})
  })

  it('answers malformed requests with RFC 6749 errors, not problem+json', async () => {
    const noGrantType = await oauthPost(token, {device_code: 'x', client_id: 'c'})
    expect(noGrantType).toMatchObject({status: 400, body: {error: 'invalid_request'}})
    expect(await oauthPost(token, {grant_type: 'password', username: 'a', password: 'b'})).toMatchObject({status: 400, body: {error: 'unsupported_grant_type'}})
    expect(await oauthPost(token, {grant_type: DEVICE_GRANT_TYPE, client_id: 'c'})).toMatchObject({status: 400, body: {error: 'invalid_request'}})
    expect(await oauthPost(`${server.url}/oauth/device_authorization`, {})).toMatchObject({status: 400, body: {error: 'invalid_request'}})
    expect(await oauthPost(`${server.url}/oauth/device_authorization`, {client_id: 'bad client <id>'})).toMatchObject({status: 401, body: {error: 'invalid_client'}})
    const dup = await fetch(token, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: 'grant_type=refresh_token&grant_type=refresh_token'})
    expect(dup.status).toBe(400)
    expect(dup.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await dup.json()).toMatchObject({error: 'invalid_request'})
    const huge = await oauthPost(token, {grant_type: 'refresh_token', refresh_token: 'x'.repeat(40_000)})
    expect(huge).toMatchObject({status: 400, body: {error: 'invalid_request'}})
    const wrongType = await fetch(token, {method: 'POST', headers: {'content-type': 'text/plain'}, body: 'hello'})
    expect(wrongType.status).toBe(400)
    expect(await wrongType.json()).toMatchObject({error: 'invalid_request'})
  })

  it('token responses are never cached', async () => {
    const grant = await startDeviceLogin(server.url)
    await approve(grant.user_code)
    const res = await fetch(token, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams({grant_type: DEVICE_GRANT_TYPE, device_code: grant.device_code, client_id: 'clawd-test'}).toString(),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('records the client, IP and user agent and shows them to the approver', async () => {
    const res = await oauthPost(`${server.url}/oauth/device_authorization`, {client_id: 'my-ci-runner'}, {'user-agent': 'TestAgent/1.0 <b>bold</b>'})
    const browser = await signedUpClient(server.url, 'viewer@example.com', 'viewer-password')
    const page = await browser.get(`/device?user_code=${res.body.user_code}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('my-ci-runner')
    expect(page.text).toContain('127.0.0.1')
    expect(page.text).toContain('2030-01-01')
    // What the client sent is shown escaped, never as markup.
    expect(page.text).toContain('TestAgent/1.0 &lt;b&gt;bold&lt;/b&gt;')
    expect(page.text).not.toContain('<b>bold</b>')
    // Looking is not approving (RFC 8628 §5.4).
    expect((await poll(res.body.device_code, 'my-ci-runner')).body.error).toBe('authorization_pending')
  })
})
