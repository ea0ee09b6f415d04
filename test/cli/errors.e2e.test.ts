import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {freePort} from '../helpers/port.js'
import {tempDir} from '../helpers/tmp.js'

const home = () => ({CLAWD_CONFIG_DIR: tempDir('clawd-cli-').path})
const token = 'clawd_pat_' + '0'.repeat(36)

/** Two lines, what happened and what to do; never a stack trace. */
function expectTwoLines(stderr: string) {
  expect(stderr).toMatch(/^Error: .+\nHint: .+\n$/)
  expect(stderr).not.toMatch(/^\s+at /m)
}

describe('CLI errors', () => {
  it('answers an unknown flag with exit 2 and a hint naming the command', async () => {
    const r = await runCli(['whoami', '--bogus'], {env: home()})
    expect(r.code).toBe(2)
    expectTwoLines(r.stderr)
    expect(r.stderr).toContain('clawd whoami --help')
  })

  it('names what is missing in one line when a required flag or argument is left out', async () => {
    const flag = await runCli(['tokens', 'create'], {env: home()})
    expect(flag.code).toBe(2)
    expectTwoLines(flag.stderr)
    expect(flag.stderr).toMatch(/^Error: Missing required flag name$/m)
    const arg = await runCli(['tokens', 'revoke'], {env: home()})
    expect(arg.code).toBe(2)
    expect(arg.stderr).toMatch(/^Error: Missing 1 required arg: id/m)
  })

  it('answers an unreachable API with exit 7, one line and a hint', async () => {
    const api = `http://127.0.0.1:${await freePort()}`
    const r = await runCli(['whoami'], {env: {...home(), CLAWD_TOKEN: token, CLAWD_API_URL: api}})
    expect(r.code).toBe(7)
    expectTwoLines(r.stderr)
    expect(r.stderr).toContain(`Could not reach the clawd API at ${api}`)
    const j = await runCli(['login', '--json', '--api', api], {env: home()})
    expect(j.code).toBe(7)
    expect(JSON.parse(j.stdout)).toMatchObject({error: {code: 'unreachable', hint: expect.any(String)}})
  })

  it('refuses to send a token over plain http to another machine', async () => {
    const r = await runCli(['whoami', '--api', 'http://clawd.example.invalid'], {env: {...home(), CLAWD_TOKEN: token}})
    expect(r.code).toBe(2)
    expectTwoLines(r.stderr)
    expect(r.stderr).toContain('Refusing to send credentials over plain http to clawd.example.invalid')
    expect(r.stderr).not.toContain(token)
    const login = await runCli(['login', '--api', 'http://clawd.example.invalid'], {env: home()})
    expect(login.code).toBe(2)
    expect(login.stderr).toContain('Refusing to send credentials over plain http')
  })

  it('says "not logged in" with exit 4 when nothing is stored', async () => {
    const r = await runCli(['tokens', 'list', '--json'], {env: home()})
    expect(r.code).toBe(4)
    expect(JSON.parse(r.stdout)).toEqual({error: {code: 'not_logged_in', message: 'You are not logged in.', hint: expect.stringContaining('clawd login')}})
  })

  it('rejects a bad --expires before calling the API', async () => {
    const r = await runCli(['tokens', 'create', '--name', 'x', '--expires', '12h'], {env: {...home(), CLAWD_TOKEN: token}})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/whole number of days/)
  })

  it('points operator commands at a missing data dir with exit 3', async () => {
    const r = await runCli(['server', 'approve', 'BCDF-GHJK', '--email', 'a@example.com', '--data-dir', '/nonexistent/clawd-data'], {env: home()})
    expect(r.code).toBe(3)
    expectTwoLines(r.stderr)
  })
})
