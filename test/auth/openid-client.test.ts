import * as client from 'openid-client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {adminRequest} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'
import {decideOnPage, signedUpClient} from './page-client.js'

/**
 * An independent, standards-following client (openid-client v6, on oauth4webapi) logs in against
 * the server: if the server drifts from RFC 8414 / 8628 / 6749 / 7009, this fails.
 */
describe('openid-client against the server', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let config: client.Configuration
  beforeAll(async () => {
    server = await startTestServer((c) => {
      c.auth.devicePollIntervalSec = 1
    })
    await adminRequest(server.adminSocket, 'POST', '/admin/users', {email: 'oidc@example.com', password: 'oidc-password'})
    // Plain http is allowed only because this is loopback in a test.
    config = await client.discovery(new URL(server.url), 'openid-client-test', undefined, client.None(), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
      timeout: 10,
    })
  })
  afterAll(() => server.dispose())

  it('discovers the server metadata', () => {
    const meta = config.serverMetadata()
    expect(meta.issuer).toBe(server.url)
    expect(meta.device_authorization_endpoint).toBe(`${server.url}/oauth/device_authorization`)
    expect(meta.token_endpoint).toBe(`${server.url}/oauth/token`)
  })

  it('logs in with the device grant, refreshes and revokes', async () => {
    const device = await client.initiateDeviceAuthorization(config, {})
    expect(device.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/)
    const approved = await adminRequest(server.adminSocket, 'POST', '/admin/device/approve', {user_code: device.user_code, email: 'oidc@example.com'})
    expect(approved.body).toMatchObject({client_id: 'openid-client-test'})

    const tokens = await client.pollDeviceAuthorizationGrant(config, device, undefined, {signal: AbortSignal.timeout(20_000)})
    expect(tokens.token_type).toBe('bearer')
    expect(tokens.expiresIn()).toBeGreaterThan(3500)
    const me = await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${tokens.access_token}`}})
    expect(await me.json()).toMatchObject({email: 'oidc@example.com'})

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    await client.tokenRevocation(config, refreshed.refresh_token!)
    expect((await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${refreshed.access_token}`}})).status).toBe(401)
  })

  it('sees a denial as access_denied', async () => {
    const device = await client.initiateDeviceAuthorization(config, {})
    const browser = await signedUpClient(server.url, 'oidc-denier@example.com', 'denier-password')
    await decideOnPage(browser, device.user_code, 'deny')
    await expect(client.pollDeviceAuthorizationGrant(config, device, undefined, {signal: AbortSignal.timeout(20_000)})).rejects.toMatchObject({
      error: 'access_denied',
    })
  })
})
