import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createTokenResponseSchema} from '../../src/contract/auth.js'
import {newUser, oauthPost} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'
import {openTestStore, storeKinds, type TestStore} from '../helpers/stores.js'
import {decideOnPage, PageClient, csrfIn, signedUpClient} from './page-client.js'

/** The whole auth surface against each store, so every query runs on PGlite and on PostgreSQL. */
describe.each(storeKinds)('auth end to end on %s', (kind) => {
  let store: TestStore | undefined
  let server: Awaited<ReturnType<typeof startTestServer>>
  beforeAll(async () => {
    if (kind === 'postgres') store = await openTestStore('postgres')
    server = await startTestServer((config) => {
      if (store) {
        config.databaseUrl = store.databaseUrl
        config.databaseSchema = store.schema
      }
    })
  })
  afterAll(async () => {
    await server.dispose()
    await store?.dispose()
  })

  it('reports the store it runs on', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({store: kind})
  })

  it('device login, /v1/me, API tokens, rotation and family revocation', async () => {
    const user = await newUser(server)
    const auth = {authorization: `Bearer ${user.accessToken}`}
    expect((await fetch(`${server.url}/v1/me`, {headers: auth})).status).toBe(200)
    const pat = createTokenResponseSchema.parse(await (await fetch(`${server.url}/v1/tokens`, {method: 'POST', headers: {...auth, 'content-type': 'application/json'}, body: JSON.stringify({name: 'ci'})})).json())
    expect(((await fetch(`${server.url}/v1/tokens`, {headers: auth}).then((r) => r.json())) as {tokens: unknown[]}).tokens).toHaveLength(1)
    expect((await fetch(`${server.url}/v1/tokens/${pat.id}`, {method: 'DELETE', headers: auth})).status).toBe(204)
    const refresh = (rt: string) => oauthPost(`${server.url}/oauth/token`, {grant_type: 'refresh_token', refresh_token: rt})
    const rotated = await refresh(user.refreshToken)
    expect(rotated.status).toBe(200)
    expect((await refresh(user.refreshToken)).body.error).toBe('invalid_grant')
    expect((await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${rotated.body.access_token}`}})).status).toBe(401)
  })

  it('pages: sign up, sign in, approve a device code', async () => {
    await signedUpClient(server.url, `pages-${kind}@example.com`, 'a long password')
    const browser = new PageClient(server.url)
    const form = await browser.get('/signin')
    const signedIn = await browser.post('/signin', {csrf: csrfIn(form), email: `PAGES-${kind}@example.com`, password: 'a long password', next: '/device'})
    expect(signedIn).toMatchObject({status: 303, location: '/device'})
    const grant = (await oauthPost(`${server.url}/oauth/device_authorization`, {client_id: 'clawd-cli'})).body
    expect((await decideOnPage(browser, grant.user_code, 'approve')).text).toContain('Device approved')
    const tokens = await oauthPost(`${server.url}/oauth/token`, {grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: grant.device_code, client_id: 'clawd-cli'})
    expect(tokens.status).toBe(200)
  })
})
