import {beforeAll, describe, expect, it} from 'vitest'
import {cliErrorDocumentSchema} from '../../src/contract/problem.js'
import {incidentSchema, statusResponseSchema} from '../../src/contract/status.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {useTestServer} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {api} from './helpers.js'

describe('service status and incidents', {timeout: 120_000}, () => {
  const server = useTestServer((c) => {
    c.instances.sandbox = 'none'
  })
  let user: TestUser
  beforeAll(async () => {
    user = await newUser(server)
  })

  const env = () => ({CLAWD_CONFIG_DIR: tempDir('clawd-cli-').path, CLAWD_API_URL: server.url})
  const asUser = () => ({...env(), CLAWD_TOKEN: user.accessToken})
  const operator = (args: string[]) => runCli(['server', 'incident', ...args, '--data-dir', server.dataDir, '--json'], {env: env()})
  const status = async () => {
    const r = await runCli(['status', '--json'], {env: env()})
    expect(r.code, r.stderr).toBe(0)
    return statusResponseSchema.parse(json(r))
  }
  /** A server-side failure on demand: the log read loses its table privilege, so it answers 500. */
  const breakLogs = () => server.ctx.db.asSystem((q) => q.query(`REVOKE SELECT ON access_log FROM clawd_app`))
  const repairLogs = () => server.ctx.db.asSystem((q) => q.query(`GRANT SELECT ON access_log TO clawd_app`))

  it('answers without a token, with every component', async () => {
    const res = await api(server, undefined, 'GET', '/v1/status')
    expect(res.status).toBe(200)
    const body = statusResponseSchema.parse(res.body)
    expect(body.status).toBe('operational')
    expect(body.components.map((c) => [c.name, c.status])).toEqual([
      ['api', 'operational'],
      ['store', 'operational'],
      ['runtime', 'operational'],
    ])
    expect(body.incidents).toEqual([])
    const human = await runCli(['status'], {env: env()})
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`${server.url}: operational`)
    expect(human.stdout).toContain('No open incidents.')
  })

  it('takes an incident from create through updates to resolve, and shows the timeline', async () => {
    const created = await operator(['create', '--title', 'Chat answers fail', '--impact', 'major', '--message', 'We are looking into it.'])
    expect(created.code, created.stderr).toBe(0)
    const incident = incidentSchema.parse(json(created))
    expect(incident).toMatchObject({title: 'Chat answers fail', impact: 'major', status: 'investigating', resolved_at: null})

    let now = await status()
    expect(now.status).toBe('degraded')
    expect(now.incidents.map((i) => i.id)).toEqual([incident.id])

    const updated = await operator(['update', incident.id, '--message', 'A bad deploy; rolling back.', '--status', 'identified'])
    expect(updated.code, updated.stderr).toBe(0)
    now = await status()
    expect(now.incidents[0]!.status).toBe('identified')
    expect(now.incidents[0]!.updates.map((u) => [u.status, u.message])).toEqual([
      ['investigating', 'We are looking into it.'],
      ['identified', 'A bad deploy; rolling back.'],
    ])
    const human = await runCli(['status'], {env: env()})
    expect(human.stdout).toMatch(/Open incidents:\n {2}Chat answers fail \[major\] — identified since /)

    // While it is open, a command that fails on the server's side says so; a user error does not.
    await breakLogs()
    try {
      const failed = await runCli(['logs'], {env: asUser()})
      expect(failed.code).toBe(1)
      expect(failed.stderr).toMatch(/^Error: .+\nHint: .+\nIncident: Chat answers fail \(major, identified since \S+\) — see `clawd status`\.\n$/)
      const failedJson = await runCli(['logs', '--json'], {env: asUser()})
      expect(cliErrorDocumentSchema.parse(json(failedJson)).error.incident).toContain('Chat answers fail')
    } finally {
      await repairLogs()
    }
    const notFound = await runCli(['instance', 'show', 'nope'], {env: asUser()})
    expect(notFound.code).toBe(3)
    expect(notFound.stderr).not.toContain('Incident')

    const resolved = await operator(['resolve', incident.id, '--message', 'Rolled back; all clear.'])
    expect(resolved.code, resolved.stderr).toBe(0)
    expect(incidentSchema.parse(json(resolved)).resolved_at).not.toBeNull()
    now = await status()
    expect(now.status).toBe('operational')
    expect(now.incidents[0]).toMatchObject({id: incident.id, status: 'resolved'})
    expect(now.incidents[0]!.updates.at(-1)).toMatchObject({status: 'resolved', message: 'Rolled back; all clear.'})

    // Resolved: failures no longer mention it, and it takes no more updates.
    await breakLogs()
    try {
      const failed = await runCli(['logs'], {env: asUser()})
      expect(failed.code).toBe(1)
      expect(failed.stderr).not.toContain('Incident')
    } finally {
      await repairLogs()
    }
    const late = await operator(['update', incident.id, '--message', 'again'])
    expect(late.code).toBe(3)
  })

  it('refuses bad operator input with usage errors', async () => {
    expect((await operator(['create', '--title', 'x', '--impact', 'apocalyptic'])).code).toBe(2)
    expect((await operator(['resolve', 'inc_nope'])).code).toBe(3)
  })
})
