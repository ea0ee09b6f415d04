import {existsSync} from 'node:fs'
import type {BrowserContext, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DEVICE_GRANT_TYPE} from '../../src/contract/auth.js'
import {oauthPost} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'
import {CHROMIUM, launchChromium} from '../console/browser-kit.js'
import {tempDir} from '../helpers/tmp.js'

const hasChromium = existsSync(CHROMIUM)

/** The pages in a real headless Chromium (Debian's package; never a downloaded browser). */
describe.skipIf(!hasChromium)(hasChromium ? 'sign-up, sign-in and device approval in Chromium' : `browser test skipped: ${CHROMIUM} is missing`, () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let context: BrowserContext
  let profile: ReturnType<typeof tempDir>
  let page: Page
  const cspViolations: string[] = []

  beforeAll(async () => {
    server = await startTestServer()
    profile = tempDir('clawd-chromium-')
    context = await launchChromium(profile.path)
    page = context.pages()[0] ?? (await context.newPage())
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text())
    })
  })
  afterAll(async () => {
    await context?.close()
    await server?.dispose()
    profile?.dispose()
  })

  const startLogin = async () =>
    (await oauthPost(`${server.url}/oauth/device_authorization`, {client_id: 'clawd-cli'}, {'user-agent': 'clawd/0.1.0 (browser-test)'})).body as {
      device_code: string
      user_code: string
      verification_uri_complete: string
    }
  const poll = (deviceCode: string) => oauthPost(`${server.url}/oauth/token`, {grant_type: DEVICE_GRANT_TYPE, device_code: deviceCode, client_id: 'clawd-cli'})

  it('signs up, signs out and signs back in', async () => {
    await page.goto(`${server.url}/signup`)
    await page.getByLabel('Email').fill('browser@example.com')
    await page.getByLabel(/Password/).fill('browser-password')
    await page.getByRole('button', {name: 'Create account'}).click()
    // A new account lands on the dashboard, which says what to do next.
    await page.waitForURL(`${server.url}/`)
    await expect(page.locator('.who').textContent()).resolves.toBe('browser@example.com')
    // The stylesheet loads under the CSP (style-src 'self'): the dashboard's wide column.
    expect(await page.locator('main').evaluate((el: any) => el.ownerDocument.defaultView.getComputedStyle(el).maxWidth)).toBe('1040px')

    await page.getByRole('button', {name: 'Sign out'}).click()
    await page.waitForURL(`${server.url}/signin`)
    await page.getByLabel('Email').fill('browser@example.com')
    await page.getByLabel('Password').fill('wrong-password')
    await page.getByRole('button', {name: 'Sign in'}).click()
    await expect(page.getByRole('alert').textContent()).resolves.toContain('email or password is incorrect')
    await page.getByLabel('Password').fill('browser-password')
    await page.getByRole('button', {name: 'Sign in'}).click()
    await page.waitForURL(`${server.url}/`)
  })

  it('enters a user code, sees the client, IP and time, approves; the device then gets tokens', async () => {
    const grant = await startLogin()
    expect((await poll(grant.device_code)).body.error).toBe('authorization_pending')
    await page.goto(`${server.url}/device`)
    await page.getByLabel('Code').fill(grant.user_code.toLowerCase())
    await page.getByRole('button', {name: 'Continue'}).click()
    await expect(page.locator('#user-code').textContent()).resolves.toBe(grant.user_code)
    await expect(page.locator('#client-id').textContent()).resolves.toBe('clawd-cli')
    await expect(page.locator('#client-ip').textContent()).resolves.toBe('127.0.0.1')
    await expect(page.locator('#requested-at').textContent()).resolves.toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((just now|\d+ minutes? ago)\)$/)
    await expect(page.locator('#user-agent').textContent()).resolves.toBe('clawd/0.1.0 (browser-test)')
    // Showing the request approved nothing.
    expect((await poll(grant.device_code)).body.error).toMatch(/authorization_pending|slow_down/)

    await page.getByRole('button', {name: 'Approve'}).click()
    await expect(page.locator('h1').textContent()).resolves.toBe('Device approved')
    const tokens = await poll(grant.device_code)
    expect(tokens.status).toBe(200)
    const me = await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${tokens.body.access_token}`}})
    expect(await me.json()).toMatchObject({email: 'browser@example.com'})
  })

  it('opens the complete verification URI, denies; the device gets access_denied', async () => {
    const grant = await startLogin()
    await page.goto(grant.verification_uri_complete)
    await expect(page.locator('#user-code').textContent()).resolves.toBe(grant.user_code)
    await page.getByRole('button', {name: 'Deny'}).click()
    await expect(page.locator('h1').textContent()).resolves.toBe('Request denied')
    expect(await poll(grant.device_code)).toMatchObject({status: 400, body: {error: 'access_denied'}})
  })

  it('a signed-out browser following the link signs in and comes back to the same code', async () => {
    const grant = await startLogin()
    await context.clearCookies()
    await page.goto(grant.verification_uri_complete)
    await page.waitForURL(/\/signin\?next=/)
    await page.getByLabel('Email').fill('browser@example.com')
    await page.getByLabel('Password').fill('browser-password')
    await page.getByRole('button', {name: 'Sign in'}).click()
    await expect(page.locator('#user-code').textContent()).resolves.toBe(grant.user_code)
    await page.getByRole('button', {name: 'Approve'}).click()
    expect((await poll(grant.device_code)).status).toBe(200)
  })

  it('no page broke its own Content-Security-Policy', () => {
    expect(cspViolations).toEqual([])
  })
})
