import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {deviceLogin} from '../../src/cli/login/device-login.js'
import {HttpTransport} from '../../src/cli/kit/http/transport.js'
import {OAuthClient} from '../../src/cli/login/oauth-client.js'
import {decideOnPage, signedUpClient} from '../auth/page-client.js'
import {adminRequest} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {startCli, USER_CODE} from './cli-process.js'

/**
 * `clawd login` end to end: the built CLI as a subprocess against a real `clawd server start`,
 * approved the two ways a person can (the device page over HTTP, and `server approve`).
 */
describe('login, whoami, logout against a running server', () => {
  let server: ServerProcess
  const dirs: Array<{dispose(): void}> = []
  const operator = {email: 'operator@example.com', password: 'correct horse battery'}

  /** A fresh CLI home: its own config dir, pointed at the test server; no D-Bus, so the file store. */
  function cliEnv(): NodeJS.ProcessEnv {
    const dir = tempDir('clawd-cli-')
    dirs.push(dir)
    return {CLAWD_CONFIG_DIR: join(dir.path, 'config'), CLAWD_API_URL: server.url}
  }
  const credentialsFile = (env: NodeJS.ProcessEnv) => join(env.CLAWD_CONFIG_DIR!, 'credentials.json')
  const storedCredential = (env: NodeJS.ProcessEnv) => JSON.parse(readFileSync(credentialsFile(env), 'utf8')).credentials[server.url]

  beforeAll(async () => {
    const data = tempDir('clawd-srv-')
    dirs.push(data)
    mkdirSync(data.path, {recursive: true})
    // No server runs yet: the operator command opens the data dir itself.
    const created = await runCli(['server', 'users', 'create', '--email', operator.email, '--data-dir', data.path, '--json'], {input: operator.password + '\n', timeoutMs: 90_000})
    expect(created.code, created.stderr).toBe(0)
    expect(json(created)).toMatchObject({email: operator.email})
    server = await startServerProcess({dataDir: data.path, args: ['--device-poll-interval', '1']})
    // A fresh embedded database takes a while on a busy machine.
  }, 180_000)
  afterAll(async () => {
    await server?.stop()
    for (const d of dirs) d.dispose()
  })

  it('logs in with the device page over HTTP, then whoami shows the account and the file source', async () => {
    const env = cliEnv()
    const email = `page-${Date.now()}@example.com`
    const browser = await signedUpClient(server.url, email, 'a long enough password')
    const login = startCli(['login', '--no-browser'], {env})
    const [, code] = await login.waitForStderr(USER_CODE)
    const approved = await decideOnPage(browser, code!, 'approve')
    expect(approved.status).toBeLessThan(400)
    const result = await login.done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`Logged in to ${server.url} as ${email}`)
    expect(result.stderr).toContain(`${server.url}/device`)
    expect(result.stderr).toMatch(/keyring is not available/)

    const who = await runCli(['whoami', '--json'], {env})
    expect(who.code, who.stderr).toBe(0)
    expect(json(who)).toMatchObject({email, api: server.url, source: 'file', token_kind: 'at', refreshes: true})
    // The one warning about the file store is not repeated.
    expect(who.stderr).toBe('')
  })

  it('logs in with `server approve`, and after logout the old tokens are refused', async () => {
    const env = cliEnv()
    const login = startCli(['login', '--no-browser', '--json'], {env})
    const [, code] = await login.waitForStderr(USER_CODE)
    const approve = await runCli(['server', 'approve', code!.toLowerCase(), '--email', operator.email, '--data-dir', server.dataDir, '--json'])
    expect(approve.code, approve.stderr).toBe(0)
    expect(json(approve)).toMatchObject({user_code: code, email: operator.email, client_id: 'clawd-cli'})
    const result = await login.done
    expect(result.code, result.stderr).toBe(0)
    expect(json(result)).toEqual({email: operator.email, user_id: expect.any(String), api: server.url, source: 'file'})

    const who = await runCli(['whoami'], {env})
    expect(who.code).toBe(0)
    expect(who.stdout).toContain(`as ${operator.email}`)
    expect(who.stdout).toContain('credentials file')

    const stored = storedCredential(env)
    expect((await fetch(server.url + '/v1/me', {headers: {authorization: `Bearer ${stored.accessToken}`}})).status).toBe(200)
    const out = await runCli(['logout'], {env})
    expect(out.code, out.stderr).toBe(0)
    expect(out.stderr).toContain(`Logged out of ${server.url}`)
    expect((await fetch(server.url + '/v1/me', {headers: {authorization: `Bearer ${stored.accessToken}`}})).status).toBe(401)
    const refresh = await fetch(server.url + '/oauth/token', {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: stored.refreshToken, client_id: 'clawd-cli'}),
    })
    expect(refresh.status).toBe(400)
    expect(storedCredential(env)).toBeUndefined()
    const after = await runCli(['whoami'], {env})
    expect(after.code).toBe(4)
    expect(after.stderr).toMatch(/not logged in[\s\S]*Hint: .*clawd login/)
  })

  it('exits 4 when the login is denied on the page', async () => {
    const env = cliEnv()
    const browser = await signedUpClient(server.url, `deny-${Date.now()}@example.com`, 'a long enough password')
    const login = startCli(['login', '--no-browser'], {env})
    const [, code] = await login.waitForStderr(USER_CODE)
    await decideOnPage(browser, code!, 'deny')
    const result = await login.done
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/Error: The login was denied/)
    expect(result.stderr).toMatch(/Hint: /)
    expect(existsSync(credentialsFile(env))).toBe(false)
  })

  it('creates, lists and revokes API tokens; a token works as CLAWD_TOKEN with nothing stored, and stops when revoked', async () => {
    const env = cliEnv()
    const login = startCli(['login', '--no-browser'], {env})
    const [, code] = await login.waitForStderr(USER_CODE)
    await runCli(['server', 'approve', code!, '--email', operator.email, '--data-dir', server.dataDir])
    expect((await login.done).code).toBe(0)

    const created = await runCli(['tokens', 'create', '--name', 'ci-e2e', '--expires', '30d', '--json'], {env})
    expect(created.code, created.stderr).toBe(0)
    const token = json(created)
    expect(token).toMatchObject({name: 'ci-e2e', token: expect.stringMatching(/^clawd_pat_/)})
    expect(Date.parse(token.expires_at) - Date.parse(token.created_at)).toBe(30 * 86_400_000)

    const human = await runCli(['tokens', 'create', '--name', 'printed'], {env})
    expect(human.stdout.trim()).toMatch(/^clawd_pat_\w+$/)
    expect(human.stderr).toMatch(/not shown again/)

    const listed = await runCli(['tokens', 'list', '--json'], {env})
    expect(json(listed).tokens.map((t: {name: string}) => t.name)).toEqual(expect.arrayContaining(['ci-e2e', 'printed']))
    expect(listed.stdout).not.toContain(token.token)
    const table = await runCli(['tokens', 'list'], {env})
    expect(table.stdout).toMatch(/^ID\s+NAME\s+CREATED\s+EXPIRES\s+LAST USED$/m)
    expect(table.stdout).toContain(token.id)

    // CI: only the token, no config dir at all.
    const ciEnv = {CLAWD_TOKEN: token.token, CLAWD_API_URL: server.url, CLAWD_CONFIG_DIR: join(tempDir('clawd-ci-').path, 'none')}
    const ci = await runCli(['whoami', '--json'], {env: ciEnv})
    expect(ci.code, ci.stderr).toBe(0)
    expect(json(ci)).toMatchObject({email: operator.email, source: 'env', token_kind: 'pat', refreshes: false})
    expect(existsSync(ciEnv.CLAWD_CONFIG_DIR)).toBe(false)

    const revoked = await runCli(['tokens', 'revoke', token.id, '--yes', '--json'], {env})
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(json(revoked)).toEqual({id: token.id, revoked: true})
    const again = await runCli(['tokens', 'revoke', token.id, '--yes'], {env})
    expect(again.code).toBe(3)
    const rejected = await runCli(['whoami'], {env: ciEnv})
    expect(rejected.code).toBe(4)
    expect(rejected.stderr).toMatch(/Hint: .*CLAWD_TOKEN/)
  })

  it('stores a token given on stdin with --with-token, after checking it with the API', async () => {
    const env = cliEnv()
    const login = startCli(['login', '--no-browser'], {env})
    const [, code] = await login.waitForStderr(USER_CODE)
    await runCli(['server', 'approve', code!, '--email', operator.email, '--data-dir', server.dataDir])
    await login.done
    const token = json(await runCli(['tokens', 'create', '--name', 'with-token', '--expires', 'never', '--json'], {env}))
    expect(token.expires_at).toBeNull()

    const other = cliEnv()
    const bad = await runCli(['login', '--with-token'], {env: other, input: 'clawd_pat_not-a-token\n'})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/not a clawd token/)
    expect(bad.stderr).not.toContain('not-a-token')

    const ok = await runCli(['login', '--with-token', '--json'], {env: other, input: token.token + '\n'})
    expect(ok.code, ok.stderr).toBe(0)
    expect(json(ok)).toMatchObject({email: operator.email, source: 'file'})
    expect(storedCredential(other)).toMatchObject({accessToken: token.token})
    const who = json(await runCli(['whoami', '--json'], {env: other}))
    expect(who).toMatchObject({source: 'file', token_kind: 'pat', expires_at: null})
    // Logging out forgets a pasted token but does not revoke it: CI may share it.
    const out = await runCli(['logout'], {env: other})
    expect(out.stderr).toMatch(/stays valid/)
    expect((await fetch(server.url + '/v1/me', {headers: {authorization: `Bearer ${token.token}`}})).status).toBe(200)
  })

  it('backs off by 5 s when the real server answers slow_down', async () => {
    const sleeps: number[] = []
    const slowDowns: number[] = []
    let userCode = ''
    const tokens = await deviceLogin({
      oauth: new OAuthClient(server.url, new HttpTransport({userAgent: 'clawd/test'})),
      onCode: (auth) => void (userCode = auth.user_code),
      onSlowDown: (ms) => void slowDowns.push(ms),
      // Skip the waits, so the second poll comes too soon for the server; approve before the third.
      sleep: async (ms) => {
        sleeps.push(ms)
        if (sleeps.length === 3) await adminRequest(join(server.dataDir, 'admin.sock'), 'POST', '/admin/device/approve', {user_code: userCode, email: operator.email})
      },
    })
    expect(tokens.access_token).toMatch(/^clawd_at_/)
    expect(sleeps).toEqual([1000, 1000, 6000])
    expect(slowDowns).toEqual([6000])
  })

  it('answers a server user that already exists with exit 5 through the admin socket', async () => {
    const again = await runCli(['server', 'users', 'create', '--email', operator.email, '--data-dir', server.dataDir], {input: 'another password\n'})
    expect(again.code).toBe(5)
    expect(again.stderr).toMatch(/^Error: .+\nHint: .+\n$/)
    const noPassword = await runCli(['server', 'users', 'create', '--email', 'x@example.com', '--data-dir', server.dataDir])
    expect(noPassword.code).toBe(2)
    expect(noPassword.stderr).toMatch(/No password given/)
  })
})
