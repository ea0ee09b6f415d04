import {randomBytes} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {BrowserContext, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {readTar} from '../../src/workspace/tar.js'
import {adminRequest} from '../helpers/auth.js'
import {runCli} from '../helpers/cli.js'
import {startProviderServer, type ProviderServer} from '../helpers/provider-server.js'
import {startTestServer} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {CHROMIUM, launchChromium, screenshots, seriousA11yViolations, SHOTS_DIR, type AxeViolation} from './browser-kit.js'

const hasChromium = existsSync(CHROMIUM)

function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const st = statSync(path, {throwIfNoEntry: false})
    if (!st) continue
    if (st.isDirectory()) out.push(...filesUnder(path))
    else if (st.isFile()) out.push(path)
  }
  return out
}

/**
 * The console walked as a person would, in Debian's Chromium: sign up, create instances, seal a
 * key in the browser, chat and stop, edit SOUL.md, download, revoke, delete. Every page is
 * screenshotted at laptop and phone sizes and checked with axe-core.
 */
describe.skipIf(!hasChromium)(hasChromium ? 'the web console in Chromium' : `console browser test skipped: ${CHROMIUM} is missing`, () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let provider: ProviderServer
  let context: BrowserContext
  let profile: ReturnType<typeof tempDir>
  let page: Page
  const cspViolations: string[] = []
  const a11y: Record<string, AxeViolation[]> = {}
  const responses: string[] = []
  const email = `console-${randomBytes(3).toString('hex')}@example.com`
  const password = 'violet tractor harbour 42'
  const canary = `sk-ant-console-canary-${randomBytes(12).toString('hex')}`
  let dev = {id: '', name: 'web-agent'}
  let sealed = {id: '', name: 'sealed-agent'}
  let apiToken = ''

  /** Screenshots and the accessibility check of the page as it is now. */
  const look = async (name: string) => {
    await screenshots(page, name)
    a11y[name] = await seriousA11yViolations(page)
  }
  const go = async (path: string) => {
    await page.goto(server.url + path)
  }
  const waitRunning = (id: string) => waitState(id, 'running')
  const waitState = async (id: string, wanted: string) => {
    const deadline = Date.now() + 60_000
    for (;;) {
      await go(`/instances/${id}`)
      const state = await page.locator('h1 .state').textContent()
      if (state === wanted) return
      if (state === 'failed' || Date.now() > deadline) throw new Error(`instance ${id} is ${state}`)
      await page.waitForTimeout(250)
    }
  }

  beforeAll(async () => {
    provider = await startProviderServer({fixture: 'anthropic/basic'})
    server = await startTestServer((c) => {
      c.providerBaseUrls.anthropic = provider.url
      c.egressAllow.push('127.0.0.1')
      // The dev provider's deltas come slowly enough to watch them arrive and to stop an answer.
      c.agent.devDeltaDelayMs = 150
    })
    profile = tempDir('clawd-console-chromium-')
    context = await launchChromium(profile.path)
    page = context.pages()[0] ?? (await context.newPage())
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text())
    })
    page.on('response', async (res) => {
      const type = res.headers()['content-type'] ?? ''
      if (/json|html|text\/plain/.test(type)) responses.push(await res.text().catch(() => ''))
    })
  }, 120_000)

  afterAll(async () => {
    await context?.close()
    await server?.dispose()
    await provider?.close()
    profile?.dispose()
    console.log(`console screenshots: ${SHOTS_DIR}`)
  })

  it('signed out: / says what this is and how to start; /status is public', async () => {
    await go('/')
    await expect(page.getByRole('link', {name: 'Create an account'}).isVisible()).resolves.toBe(true)
    await expect(page.locator('main').textContent()).resolves.toContain(`clawd login --api ${server.url}`)
    await look('landing')
    // An incident the operator posted, with an update: the page shows its timeline.
    const incident = await adminRequest(server.adminSocket, 'POST', '/admin/incidents', {title: 'Slow answers from one provider', impact: 'minor', message: 'We are looking into slow answers.'})
    expect(incident.status).toBe(201)
    await adminRequest(server.adminSocket, 'POST', `/admin/incidents/${incident.body.id}/updates`, {message: 'A fix is rolling out.', status: 'monitoring'})
    await go('/status')
    await expect(page.locator('h1').textContent()).resolves.toBe('Status')
    await expect(page.locator('.timeline li').count()).resolves.toBe(2)
    await expect(page.locator('main').textContent()).resolves.toContain('A fix is rolling out.')
    await look('status')
    await go('/signup')
    await look('signup')
    await go('/signin')
    await look('signin')
  })

  it('refuses a common password at sign-up and says why, then signs up with an invite and lands on the dashboard on its plan', async () => {
    const invite = await adminRequest(server.adminSocket, 'POST', '/admin/invites', {plan: 'dedicated'})
    expect(invite.status).toBe(201)
    await go('/signup')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel(/Invite code/).fill(invite.body.code)
    await page.getByLabel(/Password/).fill('password')
    await page.getByRole('button', {name: 'Create account'}).click()
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/too easy to guess: .*most used passwords/)
    await page.getByLabel(/Password/).fill(password)
    await page.getByRole('button', {name: 'Create account'}).click()
    await page.waitForURL(`${server.url}/`)
    await expect(page.locator('h1').textContent()).resolves.toBe('Dashboard')
    await expect(page.locator('main').textContent()).resolves.toContain('dedicated plan')
    await look('dashboard-empty')
  })

  it('creates two instances and waits for them to run', async () => {
    await go('/instances')
    await look('instances-empty')
    for (const [name, model] of [
      [dev.name, 'dev/echo'],
      [sealed.name, 'anthropic/claude-test'],
    ] as const) {
      await go('/instances')
      await page.getByLabel(/^Name/).fill(name)
      await page.getByLabel(/^Model/).fill(model)
      await page.getByRole('button', {name: 'Create instance'}).click()
      await page.waitForURL(/\/instances\/ins_/)
      const id = page.url().split('/').pop()!.split('?')[0]!
      if (name === dev.name) dev = {id, name}
      else sealed = {id, name}
    }
    await waitRunning(dev.id)
    await waitRunning(sealed.id)
    // Pause and resume from the overview, as `instance pause` and `resume` do.
    await page.getByRole('button', {name: `Pause ${sealed.name}`}).click()
    await page.waitForURL(/done=paused/)
    await waitState(sealed.id, 'paused')
    await look('instance-paused')
    await page.getByRole('button', {name: `Resume ${sealed.name}`}).click()
    await page.waitForURL(/done=resumed/)
    await waitRunning(sealed.id)
    await look('instance-overview')
    await go('/instances')
    expect(await page.locator('tbody tr').count()).toBe(2)
    await look('instances')
    await go('/')
    await look('dashboard')
  }, 150_000)

  it('seals a canary key in the browser; the provider receives it, and it appears nowhere else', async () => {
    await go(`/instances/${sealed.id}/keys`)
    await look('keys-empty')
    await page.getByLabel('Provider or name').fill('anthropic')
    await page.getByLabel('Key', {exact: true}).fill(canary)
    await page.getByRole('button', {name: 'Seal and save'}).click()
    await page.waitForURL(/done=set/)
    await expect(page.locator('tbody tr td').first().textContent()).resolves.toBe('anthropic')
    await look('keys')

    await go(`/instances/${sealed.id}/chat`)
    await page.getByLabel('Message').fill('hello over a sealed key')
    await page.getByRole('button', {name: 'Send'}).click()
    await page.locator('.msg.assistant .meta').waitFor()
    expect(provider.requests.at(-1)!.headers['x-api-key']).toBe(canary)

    // Nowhere: the database, the server's logs, any response the browser got, the data dir's files.
    const tables = await server.ctx.db.asSystem((q) =>
      q.query<{table_name: string}>(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`),
    )
    expect(tables.length).toBeGreaterThan(5)
    for (const {table_name} of tables) {
      const [row] = await server.ctx.db.asSystem((q) => q.query<{dump: string | null}>(`SELECT string_agg(t::text, '|') AS dump FROM "${table_name}" t`))
      expect(row?.dump ?? '', table_name).not.toContain(canary)
    }
    expect(server.logs()).not.toContain(canary)
    expect(responses.join('\n')).not.toContain(canary)
    const needle = Buffer.from(canary)
    for (const file of filesUnder(server.dataDir)) {
      if (statSync(file).size < 64 * 1024 * 1024) expect(readFileSync(file).includes(needle), file).toBe(false)
    }
  }, 120_000)

  it('chats with the dev provider, sees the answer stream, and stops a long answer', async () => {
    await go(`/instances/${dev.id}/chat`)
    await look('chat-empty')
    await page.getByLabel('Message').fill('hello from the console')
    await page.getByRole('button', {name: 'Send'}).click()
    const answer = page.locator('.msg.assistant .text').last()
    // Streaming: the text is seen partly before the answer ends.
    await page.waitForFunction(() => (document.querySelector('.msg.assistant .text')?.textContent ?? '').length > 0)
    expect(await page.locator('.msg.assistant .meta').count()).toBe(0)
    await page.locator('.msg.assistant .meta').waitFor()
    await expect(answer.textContent()).resolves.toContain('You said: "hello from the console"')
    await look('chat')

    await page.getByLabel('Message').fill('please write a very long answer '.repeat(6))
    await page.getByRole('button', {name: 'Send'}).click()
    const second = page.locator('.msg.assistant').nth(1)
    await page.waitForFunction(() => (document.querySelectorAll('.msg.assistant .text')[1]?.textContent ?? '').length > 0)
    await page.getByRole('button', {name: 'Stop'}).click()
    await second.locator('.meta').waitFor()
    await expect(second.locator('.meta').textContent()).resolves.toContain('aborted')
    const stopped = (await second.locator('.text').textContent()) ?? ''
    expect(stopped.length).toBeGreaterThan(0)
    expect(stopped).not.toContain('once a key is set')
  }, 90_000)

  it('lists sessions with a transcript and usage; deletes one and clears the rest', async () => {
    await go(`/instances/${dev.id}/sessions`)
    await look('sessions')
    await page.locator('tbody tr td a').first().click()
    await expect(page.locator('main').textContent()).resolves.toMatch(/input and \d+ output tokens/)
    await look('transcript')
    await page.getByRole('button', {name: 'Delete session'}).click()
    await page.waitForURL(/done=deleted/)
    await go(`/instances/${sealed.id}/sessions`)
    await page.getByRole('button', {name: 'Delete all sessions'}).click()
    await page.waitForURL(/done=cleared/)
    await expect(page.locator('main').textContent()).resolves.toContain('No conversations yet')
  })

  it('edits SOUL.md in the browser; `clawd config show` sees the change (with a token made on the account page)', async () => {
    await go(`/instances/${dev.id}/workspace?file=SOUL.md`)
    await look('workspace')
    const soul = `# Soul\n\nEdited in the console ${randomBytes(4).toString('hex')}.\nSecond line.\n`
    await page.getByLabel('Content').fill(soul)
    await page.getByRole('button', {name: 'Save'}).click()
    await page.waitForURL(/done=saved/)
    // The same secret scan as config push: a key-looking string is refused, nothing is saved.
    await page.getByLabel('Content').fill(`${soul}\nmy key: sk-ant-api03-${randomBytes(40).toString('hex')}\n`)
    await page.getByRole('button', {name: 'Save'}).click()
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/Nothing was changed: SOUL\.md line \d+: this looks like an Anthropic API key/)

    await go('/account')
    await page.getByLabel('Name', {exact: true}).fill('ci-token')
    await page.getByRole('button', {name: 'Create token'}).click()
    apiToken = ((await page.locator('#new-token').textContent()) ?? '').trim()
    expect(apiToken).toMatch(/^clawd_pat_/)
    await look('account-token-created')
    const env = {CLAWD_API_URL: server.url, CLAWD_TOKEN: apiToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli-config')}
    const shown = await runCli(['config', 'show', 'SOUL.md', '-i', dev.name], {env})
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain(soul.trim().split('\n')[2])
  }, 90_000)

  it('downloads the workspace export and the all-data archive', async () => {
    await go(`/instances/${dev.id}/workspace`)
    const [workspaceDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', {name: 'Download the workspace (tar)'}).click()])
    const workspacePath = (await workspaceDownload.path())!
    const workspace = readTar(readFileSync(workspacePath))
    expect(workspace.map((e) => e.path)).toContain('SOUL.md')
    expect(Buffer.from(workspace.find((e) => e.path === 'SOUL.md')!.data).toString('utf8')).toContain('Edited in the console')

    // The archive goes back in through the upload (the route `config push` uses); junk is refused.
    const junk = join(profile.path, 'junk.tar')
    writeFileSync(junk, randomBytes(2048))
    await page.locator('#tar').setInputFiles(junk)
    await page.getByRole('button', {name: 'Upload and replace'}).click()
    await page.waitForFunction(() => document.getElementById('upload-status')?.className.includes('error'))
    await expect(page.locator('#upload-status').textContent()).resolves.toMatch(/tar/i)
    await page.locator('#tar').setInputFiles(workspacePath)
    await page.getByRole('button', {name: 'Upload and replace'}).click()
    await page.waitForURL(/done=uploaded/)

    await go('/account')
    const [allDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', {name: 'Download all your data'}).click()])
    const all = readTar(readFileSync((await allDownload.path())!))
    const paths = all.map((e) => e.path)
    expect(paths).toContain('manifest.json')
    expect(paths).toContain(`instances/${dev.name}/workspace/SOUL.md`)
    expect(Buffer.concat(all.map((e) => Buffer.from(e.data))).includes(Buffer.from(canary))).toBe(false)
  }, 90_000)

  it('shows the instance log, deletes a key at once, revokes the token', async () => {
    await go(`/instances/${sealed.id}/logs`)
    const log = (await page.locator('main').textContent()) ?? ''
    expect(log).toContain('instance.created')
    // The browser's own requests are in the log: the sealed key's upload and the console pages.
    expect(log).toContain('PUT /v1/instances/:ref/keys/:name')
    expect(log).toContain('GET /instances/:ref/keys')
    await look('logs')
    await go(`/instances/${sealed.id}/keys`)
    await page.getByRole('button', {name: 'Delete key anthropic'}).click()
    await page.waitForURL(/done=deleted/)
    await expect(page.locator('main').textContent()).resolves.toContain('No model keys yet')

    await go('/account')
    await look('account')
    await page.getByRole('button', {name: 'Revoke ci-token'}).click()
    await page.waitForURL(/done=revoked/)
    const env = {CLAWD_API_URL: server.url, CLAWD_TOKEN: apiToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli-config')}
    const refused = await runCli(['config', 'show', 'SOUL.md', '-i', dev.name], {env})
    expect(refused.code).toBe(4)
  }, 60_000)

  it('deletes an instance only after its name is typed', async () => {
    await go(`/instances/${dev.id}`)
    await page.getByLabel(/Type .* to confirm/).fill('not-the-name')
    await page.getByRole('button', {name: 'Delete instance'}).click()
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Nothing was deleted')
    await page.getByLabel(/Type .* to confirm/).fill(dev.name)
    await page.getByRole('button', {name: 'Delete instance'}).click()
    await page.waitForURL(/\/instances\?done=deleted/)
    expect(await page.locator('tbody tr').count()).toBe(1)
    const gone = await page.goto(`${server.url}/instances/${dev.id}`)
    expect(gone!.status()).toBe(404)
    await look('not-found')
  }, 60_000)

  it('deletes the account after the email is typed; signing in then fails', async () => {
    await go('/account')
    await page.getByLabel(/Type your email/).fill('someone-else@example.com')
    await page.getByRole('button', {name: 'Delete account'}).click()
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Nothing was deleted')
    await page.getByLabel(/Type your email/).fill(email)
    await page.getByRole('button', {name: 'Delete account'}).click()
    await expect(page.locator('h1').textContent()).resolves.toBe('Account deleted')
    await go('/account')
    await page.waitForURL(/\/signin/)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', {name: 'Sign in'}).click()
    await expect(page.getByRole('alert').textContent()).resolves.toContain('incorrect')
  }, 90_000)

  it('no page broke its CSP, and no page has a serious accessibility violation', () => {
    expect(cspViolations).toEqual([])
    const serious = Object.entries(a11y).filter(([, v]) => v.length > 0)
    expect(serious, JSON.stringify(serious, null, 2)).toEqual([])
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(18)
  })
})
