import {describe, expect, it} from 'vitest'
import {newUser} from '../helpers/auth.js'
import {useTestServer} from '../helpers/server.js'

describe('newUser test helper', () => {
  const server = useTestServer()

  it('creates an account and logs it in through the device flow', async () => {
    const user = await newUser(server, 'helper@example.com')
    expect(user).toMatchObject({email: 'helper@example.com', userId: expect.stringMatching(/^usr_/)})
    expect(user.accessToken).toMatch(/^clawd_at_/)
    expect(user.refreshToken).toMatch(/^clawd_rt_/)
    const me = await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${user.accessToken}`}})
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({id: user.userId, email: 'helper@example.com', plan: 'free', token: {kind: 'at'}})
  })

  it('makes a distinct user each time', async () => {
    const [a, b] = await Promise.all([newUser(server), newUser(server)])
    expect(a.userId).not.toBe(b.userId)
    expect(a.email).not.toBe(b.email)
  })
})
