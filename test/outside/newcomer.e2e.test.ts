import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {adminRequest, newUser, type TestUser} from '../helpers/auth.js'
import {BIN, json, runCli} from '../helpers/cli.js'
import {freePort} from '../helpers/port.js'
import {startTestServer} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {hasTmux, openTerminal, type Terminal} from '../chat/tmux.js'
import {startCli} from '../cli/cli-process.js'

type TestServer = Awaited<ReturnType<typeof startTestServer>>

const home = () => ({CLAWD_CONFIG_DIR: tempDir('clawd-cli-').path})

/** Issue 16, "a newcomer's first hour": the built CLI as a new user meets it. */
describe('a newcomer’s first hour (issue 16)', () => {
  it('issue 16 item 7: a mistyped command suggests the nearest one, in our Error/Hint style, exit 2', async () => {
    const r = await runCli(['instanse'], {env: home()})
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('Error: "instanse" is not a clawd command.\nHint: Did you mean `clawd instance`? See `clawd --help` for all commands.\n')
    const sub = await runCli(['instance', 'lst'], {env: home()})
    expect(sub.code).toBe(2)
    expect(sub.stderr).toContain('Did you mean `clawd instance list`?')
    const j = await runCli(['chta', '--json'], {env: home()})
    expect(j.code).toBe(2)
    expect(json(j)).toEqual({error: {code: 'usage', message: '"chta" is not a clawd command.', hint: expect.stringContaining('`clawd chat`')}})
    const none = await runCli(['qqqqqqqq'], {env: home()})
    expect(none.code).toBe(2)
    expect(none.stderr).toBe('Error: "qqqqqqqq" is not a clawd command.\nHint: See `clawd --help` for all commands.\n')
  })

  it('issue 16 item 12: bare clawd prints help and a getting-started line', async () => {
    const r = await runCli([], {env: home()})
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('USAGE')
    expect(r.stdout).toContain('Get started: `clawd login`, then `clawd instance create`')
  })

  describe('against a server', () => {
    let server: TestServer
    let user: TestUser
    const dir = tempDir('clawd-newcomer-')
    const terminals: Terminal[] = []
    let registry: Server
    let registryUrl = ''
    let registryHits = 0

    /** A CLI home logged in to the server, as `clawd login --with-token` leaves it. */
    async function loggedInHome(): Promise<NodeJS.ProcessEnv> {
      const env = {CLAWD_CONFIG_DIR: tempDir('clawd-cli-').path}
      const login = await runCli(['login', '--with-token', '--api', server.url], {env, input: user.accessToken})
      expect(login.code, login.stderr).toBe(0)
      return env
    }
    const terminal = (command: string, env: Record<string, string>) => {
      const t = openTerminal(dir.path, command, {SSH_CONNECTION: '10.0.0.1 22 10.0.0.2 22', TERM: 'xterm', ...env})
      terminals.push(t)
      return t
    }

    beforeAll(async () => {
      server = await startTestServer((c) => {
        c.auth.devicePollIntervalSec = 1
      })
      user = await newUser(server)
      // A local npm registry: the update check never reaches the network.
      registry = createServer((req, res) => {
        registryHits++
        res.writeHead(200, {'content-type': 'application/json'})
        res.end(JSON.stringify({name: 'clawd', 'dist-tags': {latest: '99.1.0'}}))
      })
      await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve))
      registryUrl = `http://127.0.0.1:${(registry.address() as {port: number}).port}`
    }, 120_000)
    afterAll(async () => {
      for (const t of terminals) t.close()
      registry?.closeAllConnections()
      await new Promise((r) => registry?.close(r))
      await server?.dispose()
      dir.dispose()
    })

    it('issue 16 item 8: an unreachable --api exits 7 saying so; one with no login names the API that has one (exit 4)', async () => {
      const env = await loggedInHome()
      const dead = `http://127.0.0.1:${await freePort()}`
      const unreachable = await runCli(['instance', 'list', '--api', dead], {env})
      expect(unreachable.code).toBe(7)
      expect(unreachable.stderr).toContain(`Could not reach the clawd API at ${dead}`)
      expect(unreachable.stderr).not.toContain('not logged in')

      // The same server under another name: it answers, and there is no login for that URL.
      const other = server.url.replace('127.0.0.1', 'localhost')
      const noLogin = await runCli(['instance', 'list', '--api', other], {env})
      expect(noLogin.code).toBe(4)
      expect(noLogin.stderr).toContain(`Error: You are not logged in to ${other}.`)
      expect(noLogin.stderr).toContain(`Hint: You are logged in to ${server.url} as ${user.email}`)
      expect(noLogin.stderr).toContain(`clawd login --api ${other}`)
      // Without --api, the stored login is used.
      expect((await runCli(['instance', 'list'], {env})).code).toBe(0)
    })

    it('issue 16 item 9: tokens revoke needs --yes without a terminal, like instance delete', async () => {
      const env = await loggedInHome()
      const created = await runCli(['tokens', 'create', '--name', 'ci-revoke', '--json'], {env})
      expect(created.code, created.stderr).toBe(0)
      const {id} = json(created)
      const refused = await runCli(['tokens', 'revoke', id], {env})
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain('needs confirmation')
      expect(refused.stderr).toContain('--yes')
      expect(json(await runCli(['tokens', 'list', '--json'], {env})).tokens.map((t: {id: string}) => t.id)).toContain(id)
      const revoked = await runCli(['tokens', 'revoke', id, '--yes'], {env})
      expect(revoked.code, revoked.stderr).toBe(0)
      expect(json(await runCli(['tokens', 'list', '--json'], {env})).tokens.map((t: {id: string}) => t.id)).not.toContain(id)
    })

    it.skipIf(!hasTmux)('issue 16 item 9: tokens revoke asks on a terminal; No keeps the token', async () => {
      const env = await loggedInHome()
      const {id} = json(await runCli(['tokens', 'create', '--name', 'tty-revoke', '--json'], {env}))
      const no = terminal(`node ${BIN} tokens revoke ${id}`, {CLAWD_CONFIG_DIR: env.CLAWD_CONFIG_DIR!})
      await no.waitFor(/Revoke token "tty-revoke"/)
      no.keys('n', 'Enter')
      const said = await no.waitFor(/EXIT=\d+/)
      expect(said).toContain('was not revoked')
      expect(said).toContain('EXIT=2')
      expect(json(await runCli(['tokens', 'list', '--json'], {env})).tokens.map((t: {id: string}) => t.id)).toContain(id)
      const yes = terminal(`node ${BIN} tokens revoke ${id}`, {CLAWD_CONFIG_DIR: env.CLAWD_CONFIG_DIR!})
      await yes.waitFor(/Revoke token "tty-revoke"/)
      yes.keys('y', 'Enter')
      expect(await yes.waitFor(/EXIT=\d+/)).toMatch(/Revoked token[\s\S]*EXIT=0/)
    })

    it('issue 16 item 11: login while logged in says who is logged in; without a terminal it goes ahead', async () => {
      const env = await loggedInHome()
      const again = await runCli(['login', '--with-token', '--api', server.url], {env, input: user.accessToken})
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toContain(`You are logged in to ${server.url} as ${user.email}.`)
      expect(again.stderr).toContain('replaces that login')
      // Without a terminal and without a browser, the wait is not worded for a browser.
      const fresh = startCli(['login', '--no-browser', '--api', server.url], {env: home()})
      try {
        const [line] = await fresh.waitForStderr(/Waiting for approval.*/)
        expect(line).toBe('Waiting for approval (open the link above on any device with a browser)…')
      } finally {
        fresh.kill('SIGKILL')
      }
    })

    it.skipIf(!hasTmux)('issue 16 item 11: on a terminal over SSH it asks before replacing the login, and words the wait for no browser', async () => {
      const env = await loggedInHome()
      const keep = terminal(`node ${BIN} login --api ${server.url}`, {CLAWD_CONFIG_DIR: env.CLAWD_CONFIG_DIR!})
      await keep.waitFor(new RegExp(`You are logged in to .* as ${user.email.replace('.', '\\.')}`))
      await keep.waitFor(/Log in again, replacing that login\?/)
      keep.keys('Enter')
      const kept = await keep.waitFor(/EXIT=\d+/)
      expect(kept).toContain(`Kept the login of ${user.email}`)
      expect(kept).toContain('EXIT=2')

      const replace = terminal(`node ${BIN} login --api ${server.url}`, {CLAWD_CONFIG_DIR: env.CLAWD_CONFIG_DIR!})
      await replace.waitFor(/Log in again, replacing that login\?/)
      replace.keys('y', 'Enter')
      const shown = await replace.waitFor(/Waiting for approval[^\n]*/)
      expect(shown).not.toContain('in the browser')
      expect(shown).toContain('open the link above on any device')
      const code = /code: ([B-DF-HJ-NP-TV-Z]{4}-[B-DF-HJ-NP-TV-Z]{4})/.exec(shown)?.[1]
      expect(code, shown).toBeDefined()
      const approved = await adminRequest(server.adminSocket, 'POST', '/admin/device/approve', {user_code: code, email: user.email})
      expect(approved.status).toBe(200)
      expect(await replace.waitFor(/EXIT=\d+/)).toMatch(/Logged in to [\s\S]*EXIT=0/)
    })

    it.skipIf(!hasTmux)('issue 16 item 13: a newer release is announced on a terminal, never in CI, with --json or without a terminal', async () => {
      const env = await loggedInHome()
      const cache = join(dir.path, 'cache')
      mkdirSync(cache, {recursive: true})
      const notice = /A new release of clawd is available: 0\.1\.0 → 99\.1\.0/
      const tty = {CLAWD_CONFIG_DIR: env.CLAWD_CONFIG_DIR!, CLAWD_CACHE_DIR: cache, CLAWD_NPM_REGISTRY: registryUrl, CLAWD_SKIP_NEW_VERSION_CHECK: ''}

      // No cached version yet: the first run asks the (local) registry in the background.
      const first = terminal(`node ${BIN} whoami`, tty)
      await first.waitFor(/EXIT=0/)
      const versionFile = join(cache, 'version')
      for (let i = 0; i < 200 && !(existsSync(versionFile) && readFileSync(versionFile, 'utf8').includes('99.1.0')); i++) await new Promise((r) => setTimeout(r, 100))
      expect(JSON.parse(readFileSync(versionFile, 'utf8'))).toMatchObject({latest: '99.1.0'})
      expect(registryHits).toBeGreaterThan(0)

      const second = terminal(`node ${BIN} whoami`, tty)
      expect(await second.waitFor(/EXIT=0/)).toMatch(notice)

      // Shown at most once a day: the next run is quiet.
      const third = terminal(`node ${BIN} whoami`, tty)
      expect(await third.waitFor(/EXIT=0/)).not.toMatch(notice)

      // With --json, in CI, or without a terminal: never, and no registry check either.
      rmLastWarning(cache)
      writeFileSync(versionFile, JSON.stringify({latest: '99.1.0', current: '0.1.0'}))
      const hits = registryHits
      const asJson = terminal(`node ${BIN} whoami --json`, tty)
      expect(await asJson.waitFor(/EXIT=0/)).not.toMatch(notice)
      const ci = terminal(`CI=true node ${BIN} whoami`, tty)
      expect(await ci.waitFor(/EXIT=0/)).not.toMatch(notice)
      const piped = await runCli(['whoami'], {env: {...tty, CI: ''}})
      expect(piped.code).toBe(0)
      expect(piped.stderr).not.toMatch(notice)
      expect(registryHits).toBe(hits)
    })
  })
})

/** Forgets when the notice was last shown, so the once-a-day limit does not hide it. */
function rmLastWarning(cache: string): void {
  rmSync(join(cache, 'last-warning'), {force: true})
}
