import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {json, runCli} from '../helpers/cli.js'
import {startTestServer} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {startCli, USER_CODE} from './cli-process.js'

const ACCESS_TTL_MS = 3000
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A server whose access tokens live 3 s, so they expire during a test, and whose clock the test can
 * move forward, so a login code expires on cue however slow the machine is.
 */
describe('short-lived tokens and codes', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let clockOffsetMs = 0
  const home = tempDir('clawd-cli-')
  const env = () => ({CLAWD_CONFIG_DIR: join(home.path, 'config'), CLAWD_API_URL: server.url})
  const stored = () => JSON.parse(readFileSync(join(home.path, 'config', 'credentials.json'), 'utf8')).credentials[server.url]
  const email = 'refresh@example.com'

  beforeAll(async () => {
    server = await startTestServer(
      (config) => {
        config.auth.accessTokenTtlMs = ACCESS_TTL_MS
        config.auth.devicePollIntervalSec = 1
      },
      {clock: {now: () => Date.now() + clockOffsetMs}},
    )
    const created = await runCli(['server', 'users', 'create', '--email', email, '--data-dir', server.dataDir], {input: 'a long enough password', timeoutMs: 90_000})
    expect(created.code, created.stderr).toBe(0)
    // A fresh embedded database takes a while on a busy machine.
  }, 180_000)
  afterAll(async () => {
    await server.dispose()
    home.dispose()
  })

  it('without a TTY, login neither prompts nor hangs: an unapproved code ends in exit 4 with a hint', async () => {
    const other = {CLAWD_CONFIG_DIR: join(home.path, 'unapproved'), CLAWD_API_URL: server.url}
    const login = startCli(['login'], {env: other})
    await login.waitForStderr(USER_CODE)
    clockOffsetMs += 11 * 60_000 // past the code's 10 minutes
    const result = await login.done
    expect(result.code, result.stderr).toBe(4)
    expect(result.stderr).toMatch(USER_CODE)
    expect(result.stderr).toMatch(/Error: The login code expired before it was approved\.\nHint: Run `clawd login` again/)
    expect(result.stderr).not.toMatch(/press|password|\?\s*$/im)
    expect(result.stdout).toBe('')
  })

  it('refreshes the access token silently, before expiry and after the server says it expired', async () => {
    const login = startCli(['login', '--no-browser'], {env: env()})
    const [, code] = await login.waitForStderr(USER_CODE)
    expect((await runCli(['server', 'approve', code!, '--email', email, '--data-dir', server.dataDir])).code).toBe(0)
    const loggedIn = await login.done
    expect(loggedIn.code, loggedIn.stderr).toBe(0)
    const first = stored()

    await pause(ACCESS_TTL_MS + 500)
    const who = await runCli(['whoami', '--json'], {env: env()})
    expect(who.code, who.stderr).toBe(0)
    expect(json(who)).toMatchObject({email, source: 'file'})
    expect(who.stderr).toBe('')
    const second = stored()
    expect(second.accessToken).not.toBe(first.accessToken)
    expect(second.refreshToken).not.toBe(first.refreshToken)

    // The local clock says the token is fresh, the server says it expired: one refresh, one retry.
    writeFileSync(
      join(home.path, 'config', 'credentials.json'),
      JSON.stringify({version: 1, credentials: {[server.url]: {...second, accessExpiresAt: Date.now() + 3_600_000, accessIssuedAt: Date.now()}}}),
    )
    await pause(ACCESS_TTL_MS + 500)
    const after401 = await runCli(['whoami', '--json'], {env: env()})
    expect(after401.code, after401.stderr).toBe(0)
    expect(after401.stderr).toBe('')
    expect(stored().accessToken).not.toBe(second.accessToken)
  })

  it('lets several clawd processes refresh at once without tripping refresh-token reuse detection', async () => {
    await pause(ACCESS_TTL_MS + 500)
    const before = stored()
    const results = await Promise.all([1, 2, 3].map(() => runCli(['whoami', '--json'], {env: env()})))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    // One of them refreshed; the others picked up its pair. The family is still alive:
    expect(stored().refreshToken).not.toBe(before.refreshToken)
    await pause(ACCESS_TTL_MS + 500)
    const later = await runCli(['whoami', '--json'], {env: env()})
    expect(later.code, later.stderr).toBe(0)
  })

  it('logs out even when the server is gone: removes the credential and warns', async () => {
    await server.close()
    const out = await runCli(['logout', '--json'], {env: env()})
    expect(out.code, out.stderr).toBe(0)
    expect(json(out)).toMatchObject({removed: true, revoked: false})
    expect(out.stderr).toMatch(/Warning: Could not revoke the tokens on the server/)
    expect(stored()).toBeUndefined()
  })
})
