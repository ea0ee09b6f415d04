import {spawn} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type AccessLogEntry, accessLogEntrySchema, logsResponseSchema} from '../../src/contract/logs.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {BIN, json, runCli} from '../helpers/cli.js'
import {startTestServer} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {api} from './helpers.js'

describe('clawd logs', {timeout: 120_000}, () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let ada: TestUser
  let bob: TestUser
  beforeAll(async () => {
    server = await startTestServer((c) => {
      c.instances.sandbox = 'none'
    })
    ada = await newUser(server)
    bob = await newUser(server)
  })
  afterAll(() => server.dispose())

  const envFor = (user: TestUser) => ({CLAWD_CONFIG_DIR: tempDir('clawd-cli-').path, CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken})

  it('shows the user their own entries and nobody else’s', async () => {
    const me = await api(server, ada.accessToken, 'GET', '/v1/me')
    await api(server, ada.accessToken, 'GET', '/v1/tokens')
    const mine = await runCli(['logs', '--json'], {env: envFor(ada)})
    expect(mine.code, mine.stderr).toBe(0)
    const page = logsResponseSchema.parse(json(mine))
    expect(page.entries.map((e) => `${e.method} ${e.route} ${e.status}`)).toEqual(['GET /v1/me 200', 'GET /v1/tokens 200'])
    expect(page.entries.every((e) => e.token_id === me.body.token.id)).toBe(true)

    const theirs = await runCli(['logs', '--json'], {env: envFor(bob)})
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(logsResponseSchema.parse(json(theirs)).entries).toEqual([])

    const human = await runCli(['logs', '--since', '1h'], {env: envFor(ada)})
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^\S+ {2}GET \/v1\/me {2}200 {2}\d+ms {2}token=tok_\S+ {2}ip=127\.0\.0\.1 {2}client="node"$/m)
    const empty = await runCli(['logs', '--since', new Date(Date.now() + 3_600_000).toISOString()], {env: envFor(ada)})
    expect(empty.code).toBe(0)
    expect(empty.stdout).toBe('')
    expect(empty.stderr).toContain('No log entries in that time.')
  })

  it('refuses a --since it cannot read', async () => {
    const r = await runCli(['logs', '--since', 'last tuesday'], {env: envFor(ada)})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--since "last tuesday" is neither a duration nor a date.')
  })

  it('--follow --json prints NDJSON, and new entries as they come', async () => {
    const child = spawn(process.execPath, [BIN, 'logs', '--follow', '--json', '--interval', '200ms'], {
      env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CI: '1', ...envFor(bob)},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines: AccessLogEntry[] = []
    let buffer = ''
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString('utf8')
      let nl
      while ((nl = buffer.indexOf('\n')) >= 0) {
        lines.push(accessLogEntrySchema.parse(JSON.parse(buffer.slice(0, nl))))
        buffer = buffer.slice(nl + 1)
      }
    })
    const until = async (done: () => boolean, what: string) => {
      for (let i = 0; i < 300 && !done(); i++) {
        if (child.exitCode !== null) throw new Error(`logs --follow exited ${child.exitCode}: ${stderr}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      if (!done()) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`)
    }
    try {
      // Each request made while it follows shows up once, in order.
      for (const path of ['/v1/me', '/v1/tokens', '/v1/instances']) {
        expect((await api(server, bob.accessToken, 'GET', path)).status).toBe(200)
        await until(() => lines.some((l) => l.route === path), path)
      }
      expect(lines.map((l) => l.route)).toEqual(['/v1/me', '/v1/tokens', '/v1/instances'])
      expect(new Set(lines.map((l) => l.id)).size).toBe(3)
    } finally {
      child.kill('SIGTERM')
    }
  })
})
