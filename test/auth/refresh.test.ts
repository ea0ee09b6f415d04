import {describe, expect, it} from 'vitest'
import {newUser, oauthPost} from '../helpers/auth.js'
import {useTestServer} from '../helpers/server.js'

describe('refresh token rotation and revocation', () => {
  const server = useTestServer()

  const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
    oauthPost(`${server.url}/oauth/token`, {grant_type: 'refresh_token', refresh_token: refreshToken, ...extra})
  const revoke = (token: string, hint?: string) => oauthPost(`${server.url}/oauth/revoke`, {token, ...(hint ? {token_type_hint: hint} : {})})
  const me = async (accessToken: string) => (await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${accessToken}`}})).status

  it('a refresh token gives a new pair and works only once', async () => {
    const user = await newUser(server)
    const first = await refresh(user.refreshToken)
    expect(first.status).toBe(200)
    expect(first.body.refresh_token).not.toBe(user.refreshToken)
    expect(first.body.access_token).not.toBe(user.accessToken)
    expect(await me(first.body.access_token)).toBe(200)
    const second = await refresh(first.body.refresh_token, {client_id: 'clawd-test'})
    expect(second.status).toBe(200)
    expect(await me(second.body.access_token)).toBe(200)
  })

  it('reusing a spent refresh token revokes the whole family', async () => {
    const user = await newUser(server)
    const rotated = await refresh(user.refreshToken)
    expect(rotated.status).toBe(200)
    const next = await refresh(rotated.body.refresh_token)
    expect(next.status).toBe(200)

    // An attacker (or a confused client) replays the first, already spent, refresh token.
    const replay = await refresh(user.refreshToken)
    expect(replay).toMatchObject({status: 400, body: {error: 'invalid_grant'}})

    // Every token of that login is now dead: the original, the rotated and the newest.
    expect(await me(user.accessToken)).toBe(401)
    expect(await me(rotated.body.access_token)).toBe(401)
    expect(await me(next.body.access_token)).toBe(401)
    expect((await refresh(next.body.refresh_token)).body.error).toBe('invalid_grant')
  })

  it('another login of the same user is untouched by a family revocation', async () => {
    const user = await newUser(server)
    const other = await newUser(server)
    await refresh(user.refreshToken)
    await refresh(user.refreshToken)
    expect(await me(user.accessToken)).toBe(401)
    expect(await me(other.accessToken)).toBe(200)
  })

  it('refuses a refresh token bound to another client, and access or malformed tokens', async () => {
    const user = await newUser(server)
    expect(await refresh(user.refreshToken, {client_id: 'someone-else'})).toMatchObject({status: 400, body: {error: 'invalid_grant'}})
    // The refusal did not spend it.
    expect((await refresh(user.refreshToken)).status).toBe(200)
    expect((await refresh(user.accessToken)).body.error).toBe('invalid_grant')
    expect((await refresh('clawd_rt_nope')).body.error).toBe('invalid_grant')
  })

  it('RFC 7009: revoking an access token ends it; unknown tokens still get 200', async () => {
    const user = await newUser(server)
    expect(await me(user.accessToken)).toBe(200)
    expect((await revoke(user.accessToken, 'access_token')).status).toBe(200)
    expect(await me(user.accessToken)).toBe(401)
    // The refresh token of that login still works: only the access token was revoked.
    expect((await refresh(user.refreshToken)).status).toBe(200)
    expect((await revoke('clawd_at_000000000000000000000000000000000000')).status).toBe(200)
    expect((await revoke('not even a token')).status).toBe(200)
    expect((await revoke(user.accessToken)).status).toBe(200)
  })

  it('RFC 7009: revoking a refresh token ends the whole login (logout)', async () => {
    const user = await newUser(server)
    expect((await revoke(user.refreshToken, 'refresh_token')).status).toBe(200)
    expect(await me(user.accessToken)).toBe(401)
    expect((await refresh(user.refreshToken)).body.error).toBe('invalid_grant')
  })

  it('revocation without a token is an invalid_request', async () => {
    expect(await oauthPost(`${server.url}/oauth/revoke`, {})).toMatchObject({status: 400, body: {error: 'invalid_request'}})
  })
})

describe('access token lifetime', () => {
  const clock = {t: Date.parse('2030-06-01T00:00:00Z'), now: () => clock.t}
  const server = useTestServer(undefined, {clock})

  it('an expired access token gets 401 token_expired; refreshing gets a working one', async () => {
    const user = await newUser(server)
    clock.t += 3_600_000
    const res = await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${user.accessToken}`}})
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect(await res.json()).toMatchObject({code: 'token_expired'})
    const fresh = await oauthPost(`${server.url}/oauth/token`, {grant_type: 'refresh_token', refresh_token: user.refreshToken})
    expect(fresh.status).toBe(200)
    expect((await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${fresh.body.access_token}`}})).status).toBe(200)
  })

  it('an expired refresh token is refused', async () => {
    const user = await newUser(server)
    clock.t += 31 * 86_400_000
    expect((await oauthPost(`${server.url}/oauth/token`, {grant_type: 'refresh_token', refresh_token: user.refreshToken})).body.error).toBe('invalid_grant')
  })
})
