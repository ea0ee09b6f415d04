import {afterAll, describe, expect, it} from 'vitest'
import {json, runCli} from '../helpers/cli.js'
import {startTestServer} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {csrfIn, PageClient} from '../auth/page-client.js'

/**
 * Operator commands also work with no server running: they open the data dir themselves and run
 * the same admin routes in-process. What they write is what the next server sees.
 */
describe('plan and invite commands with the server stopped', () => {
  const dir = tempDir('clawd-plans-offline-')
  afterAll(() => dir.dispose())

  it('creates a dedicated user, changes a plan and makes an invite that the next server honours', async () => {
    const first = await startTestServer((c) => (c.instances.sandbox = 'none'), {dataDir: dir.path})
    await first.close()

    const op = (args: string[], input?: string) => runCli([...args, '--data-dir', dir.path], {input, timeoutMs: 90_000})
    const created = await op(['server', 'users', 'create', '--email', 'offline@example.com', '--plan', 'dedicated', '--json'], 'a-long-password')
    expect(created.code, created.stderr).toBe(0)
    expect(json(created)).toMatchObject({email: 'offline@example.com', plan: 'dedicated'})
    const moved = await op(['server', 'users', 'plan', 'offline@example.com', 'free', '--json'])
    expect(moved.code, moved.stderr).toBe(0)
    expect(json(moved)).toMatchObject({plan: 'free', previous_plan: 'dedicated'})
    const invite = await op(['server', 'invites', 'create', '--json'])
    expect(invite.code, invite.stderr).toBe(0)
    const {code} = json(invite) as {code: string}

    const second = await startTestServer((c) => (c.instances.sandbox = 'none'), {dataDir: dir.path})
    try {
      const page = new PageClient(second.url)
      const form = await page.get('/signup')
      const res = await page.post('/signup', {csrf: csrfIn(form), email: 'invited@example.com', password: 'a-long-password', next: '/device', invite: code})
      expect(res.status, res.text).toBe(303)
      const plans = await second.ctx.db.asSystem((q) => q.query<{email: string; plan: string}>(`SELECT email, plan FROM users ORDER BY email`))
      expect(plans).toEqual([
        {email: 'invited@example.com', plan: 'dedicated'},
        {email: 'offline@example.com', plan: 'free'},
      ])
    } finally {
      await second.close()
    }
  }, 240_000)
})
