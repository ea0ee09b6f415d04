import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {adminRequest, oauthPost, startDeviceLogin} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {type ServerProcess, startServerProcess} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'

/**
 * A data dir made by the last PGlite release (test/fixtures/pglite-release) is upgraded on the
 * first start of today's server: every row moves into the embedded PostgreSQL, the old database
 * files go, and the account, its instance, sealed key, session and token all still work.
 */
describe('upgrading a PGlite data dir', () => {
  const work = tempDir('clawd-legacy-')
  const dataDir = join(work.path, 'server')
  let meta: {email: string; pat: {token: string; expires_at: string; id: string}; instance: {id: string}; sessions: {sessions: Array<{id: string}>}}
  let server: ServerProcess
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    // As root the cluster runs as its own system user, which must pass through the data dir's parent.
    chmodSync(work.path, 0o711)
    execFileSync('tar', ['-xzf', join(__dirname, '..', 'fixtures', 'pglite-release', 'datadir.tar.gz'), '-C', work.path])
    meta = JSON.parse(readFileSync(join(work.path, 'meta.json'), 'utf8'))
    expect(existsSync(join(dataDir, 'db', 'PG_VERSION'))).toBe(true)
    server = await startServerProcess({dataDir})
    // A fresh login for the migrated account (the fixture's token may have expired by now).
    const grant = await startDeviceLogin(server.url, 'clawd-test')
    const approved = await adminRequest(join(dataDir, 'admin.sock'), 'POST', '/admin/device/approve', {user_code: grant.user_code, email: meta.email})
    expect(approved.status).toBe(200)
    const tokens = await oauthPost(`${server.url}/oauth/token`, {grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: grant.device_code, client_id: 'clawd-test'})
    expect(tokens.status).toBe(200)
    env = {CLAWD_API_URL: server.url, CLAWD_TOKEN: tokens.body.access_token, CLAWD_CONFIG_DIR: join(work.path, 'cli')}
  }, 180_000)

  afterAll(async () => {
    await server?.stop()
    work.dispose()
  })

  it('says it upgraded, and leaves no PGlite files behind', () => {
    expect(server.output()).toMatch(/upgraded: moved \d+ rows from the old PGlite store/)
    expect(existsSync(join(dataDir, 'db'))).toBe(false)
    expect(existsSync(join(dataDir, 'db.migrated'))).toBe(false)
    expect(existsSync(join(dataDir, 'pg', 'data', 'PG_VERSION'))).toBe(true)
  })

  it('keeps the instance, its sealed key and its session', async () => {
    const show = json(await runCli(['instance', 'show', 'legacy', '--json'], {env}))
    expect(show.id).toBe(meta.instance.id)
    const keys = json(await runCli(['keys', 'list', '-i', 'legacy', '--json'], {env}))
    expect(JSON.stringify(keys)).toContain('dev')
    const sessions = json(await runCli(['sessions', 'list', '-i', 'legacy', '--json'], {env}))
    expect(JSON.stringify(sessions)).toContain(meta.sessions.sessions[0]!.id)
    const transcript = await runCli(['sessions', 'show', meta.sessions.sessions[0]!.id, '-i', 'legacy'], {env})
    expect(transcript.stdout + transcript.stderr).toContain('pelican')
  }, 120_000)

  it("keeps the account's API token", async () => {
    const tokens = json(await runCli(['tokens', 'list', '--json'], {env}))
    expect(JSON.stringify(tokens)).toContain(meta.pat.id)
    if (Date.parse(meta.pat.expires_at) > Date.now()) {
      const whoami = await runCli(['whoami', '--json'], {env: {...env, CLAWD_TOKEN: meta.pat.token}})
      expect(whoami.code).toBe(0)
      expect(json(whoami).email ?? JSON.stringify(json(whoami))).toContain(meta.email)
    }
  }, 60_000)

  it('starts again without upgrading twice', async () => {
    expect(await server.stop()).toBe(0)
    server = await startServerProcess({dataDir})
    expect(server.output()).not.toContain('upgraded')
    env = {...env, CLAWD_API_URL: server.url}
    expect(json(await runCli(['instance', 'show', 'legacy', '--json'], {env})).id).toBe(meta.instance.id)
  }, 120_000)
})
