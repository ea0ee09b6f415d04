import {describe, expect, it} from 'vitest'
import {createTokenResponseSchema} from '../../src/contract/auth.js'
import {sweepAuth} from '../../src/server/auth/sweeper.js'
import {newUser, oauthPost, startDeviceLogin} from '../helpers/auth.js'
import {useTestServer} from '../helpers/server.js'

describe('auth sweeper', () => {
  const clock = {t: Date.parse('2030-09-01T00:00:00Z'), now: () => clock.t}
  const server = useTestServer(undefined, {clock})

  const count = async (table: string) => (await server.ctx.db.asSystem((q) => q.query<{n: number}>(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n

  it('removes only what can no longer be used', async () => {
    const user = await newUser(server)
    const pat = createTokenResponseSchema.parse(await (
      await fetch(`${server.url}/v1/tokens`, {method: 'POST', headers: {authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json'}, body: JSON.stringify({name: 'keep'})})
    ).json())
    await startDeviceLogin(server.url)
    expect(await sweepAuth(server.ctx)).toMatchObject({deviceGrants: 0, tokens: 0})
    expect(await count('device_grants')).toBe(2)

    // Two days on: the grants and the access token are long expired; the refresh token and PAT are not.
    clock.t += 2 * 86_400_000
    const swept = await sweepAuth(server.ctx)
    expect(swept).toMatchObject({deviceGrants: 2, tokens: 1})
    expect(await count('device_grants')).toBe(0)
    expect((await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${pat.token}`}})).status).toBe(200)
    expect((await oauthPost(`${server.url}/oauth/token`, {grant_type: 'refresh_token', refresh_token: user.refreshToken})).status).toBe(200)
  })
})
