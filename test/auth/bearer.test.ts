import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createTokenResponseSchema, listTokensResponseSchema, meResponseSchema} from '../../src/contract/auth.js'
import {generateToken} from '../../src/crypto/tokens.js'
import {newUser, oauthPost, type TestUser} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'

describe('bearer auth, /v1/me and API tokens', () => {
  const clock = {t: Date.parse('2030-03-01T00:00:00Z'), now: () => clock.t}
  let server: Awaited<ReturnType<typeof startTestServer>>
  let alice: TestUser
  let bob: TestUser
  beforeAll(async () => {
    server = await startTestServer(undefined, {clock})
    alice = await newUser(server, 'alice@example.com')
    bob = await newUser(server, 'bob@example.com')
  })
  afterAll(() => server.dispose())

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: {...(token ? {authorization: `Bearer ${token}`} : {}), ...(body !== undefined ? {'content-type': 'application/json'} : {})},
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })

  it('GET /v1/me describes the account and the credential', async () => {
    const res = await call('GET', '/v1/me', alice.accessToken)
    expect(res.status).toBe(200)
    const me = meResponseSchema.parse(await res.json())
    expect(me).toMatchObject({id: alice.userId, email: 'alice@example.com', plan: 'free', token: {kind: 'at'}})
    expect(me.token.id).toMatch(/^tok_/)
    expect(Date.parse(me.token.expires_at!)).toBe(clock.t + 3_600_000)
  })

  const flipLast = (t: string) => t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A')
  it.each([
    ['no header', () => undefined],
    ['an unknown token', () => generateToken('at')],
    ['a malformed token', () => 'clawd_at_short'],
    ['a token with a bad checksum', () => flipLast(alice.accessToken)],
  ])('401 unauthenticated problem for %s', async (_what, token) => {
    const res = await call('GET', '/v1/me', token())
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(await res.json()).toMatchObject({status: 401, code: 'unauthenticated'})
  })

  it('401 for other schemes and for a refresh token used as a bearer token', async () => {
    const basic = await fetch(`${server.url}/v1/me`, {headers: {authorization: `Basic ${Buffer.from('a:b').toString('base64')}`}})
    expect(basic.status).toBe(401)
    const rt = await call('GET', '/v1/me', alice.refreshToken)
    expect(rt.status).toBe(401)
    expect(await rt.json()).toMatchObject({code: 'unauthenticated', detail: expect.stringMatching(/refresh token/)})
  })

  it('API tokens: create (shown once), use, list without the secret, revoke', async () => {
    const created = await call('POST', '/v1/tokens', alice.accessToken, {name: 'ci deploy', expires_in_days: 90})
    expect(created.status).toBe(201)
    const pat = createTokenResponseSchema.parse(await created.json())
    expect(pat.token).toMatch(/^clawd_pat_/)
    expect(Date.parse(pat.expires_at!)).toBe(clock.t + 90 * 86_400_000)

    const me = await call('GET', '/v1/me', pat.token)
    expect(await me.json()).toMatchObject({email: 'alice@example.com', token: {id: pat.id, kind: 'pat'}})

    const list = listTokensResponseSchema.parse(await (await call('GET', '/v1/tokens', alice.accessToken)).json())
    const listed = list.tokens.find((t) => t.id === pat.id)
    expect(listed).toMatchObject({name: 'ci deploy', last_used_at: expect.any(String)})
    expect(JSON.stringify(list)).not.toContain(pat.token)
    // Access and refresh tokens are not API tokens.
    expect(list.tokens.every((t) => t.name)).toBe(true)

    expect((await call('DELETE', `/v1/tokens/${pat.id}`, alice.accessToken)).status).toBe(204)
    const after = await call('GET', '/v1/me', pat.token)
    expect(after.status).toBe(401)
    expect(await after.json()).toMatchObject({code: 'unauthenticated'})
    const listAfter = listTokensResponseSchema.parse(await (await call('GET', '/v1/tokens', alice.accessToken)).json())
    expect(listAfter.tokens.find((t) => t.id === pat.id)).toBeUndefined()
    expect((await call('DELETE', `/v1/tokens/${pat.id}`, alice.accessToken)).status).toBe(404)
  })

  it('another user’s token id is 404, and stays usable', async () => {
    const created = createTokenResponseSchema.parse(await (await call('POST', '/v1/tokens', bob.accessToken, {name: 'bob-ci'})).json())
    const res = await call('DELETE', `/v1/tokens/${created.id}`, alice.accessToken)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({code: 'not_found'})
    const aliceList = listTokensResponseSchema.parse(await (await call('GET', '/v1/tokens', alice.accessToken)).json())
    expect(aliceList.tokens.map((t) => t.id)).not.toContain(created.id)
    expect((await call('GET', '/v1/me', created.token)).status).toBe(200)
    expect((await call('DELETE', '/v1/tokens/tok_doesnotexist', alice.accessToken)).status).toBe(404)
  })

  it('an API token without expiry keeps working; one with expiry stops with a clear 401', async () => {
    const forever = createTokenResponseSchema.parse(await (await call('POST', '/v1/tokens', alice.accessToken, {name: 'forever'})).json())
    const shortLived = createTokenResponseSchema.parse(await (await call('POST', '/v1/tokens', alice.accessToken, {name: 'short', expires_in_days: 1})).json())
    expect(forever.expires_at).toBeNull()
    clock.t += 2 * 86_400_000
    expect((await call('GET', '/v1/me', forever.token)).status).toBe(200)
    const expired = await call('GET', '/v1/me', shortLived.token)
    expect(expired.status).toBe(401)
    // Not token_expired: a refresh cannot help an API token.
    expect(await expired.json()).toMatchObject({code: 'unauthenticated', detail: expect.stringMatching(/expired/)})
  })

  it('a revoked login token gets 401', async () => {
    const user = await newUser(server)
    await oauthPost(`${server.url}/oauth/revoke`, {token: user.accessToken})
    expect((await call('GET', '/v1/me', user.accessToken)).status).toBe(401)
  })

  it('400 problems for malformed JSON, unknown fields, bad values and oversized bodies', async () => {
    const fresh = await newUser(server)
    const malformed = await call('POST', '/v1/tokens', fresh.accessToken, '{"name": ')
    expect(malformed.status).toBe(400)
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await malformed.json()).toMatchObject({code: 'bad_request'})

    const unknown = await call('POST', '/v1/tokens', fresh.accessToken, {name: 'x', admin: true})
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toMatchObject({code: 'validation_failed', detail: expect.stringContaining('"admin"')})

    const badName = await call('POST', '/v1/tokens', fresh.accessToken, {name: '<script>'})
    expect(badName.status).toBe(400)
    const noBody = await call('POST', '/v1/tokens', fresh.accessToken)
    expect(noBody.status).toBe(400)

    const huge = await call('POST', '/v1/tokens', fresh.accessToken, {name: 'x'.repeat(2 * 1024 * 1024)})
    expect(huge.status).toBe(413)
    expect(await huge.json()).toMatchObject({code: 'payload_too_large'})
  })

  it('unauthenticated requests to token routes are 401 before any validation', async () => {
    expect((await call('POST', '/v1/tokens', undefined, {name: 'x'})).status).toBe(401)
    expect((await call('GET', '/v1/tokens')).status).toBe(401)
    expect((await call('DELETE', '/v1/tokens/tok_x')).status).toBe(401)
  })
})
