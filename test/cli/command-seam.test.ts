import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {whoami} from '../../commands/whoami.js'
import {createInstance} from '../../commands/instance/create.js'
import {listInstances} from '../../commands/instance/list.js'
import {showInstance} from '../../commands/instance/show.js'
import {createToken} from '../../commands/tokens/create.js'
import {listTokens} from '../../commands/tokens/list.js'
import {revokeToken} from '../../commands/tokens/revoke.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {failure} from '../helpers/cli-error.js'
import {testCommand} from '../helpers/command.js'
import {startTestServer} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'

/**
 * Commands' logic against a real server, in this process: a test IO instead of a terminal, the
 * factory instead of oclif (the e2e tests run the same commands through bin/run.js).
 */
describe('commands through their test seam', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  let user: TestUser
  const home = tempDir('clawd-seam-home-')
  const command = (opts: {json?: boolean; token?: string} = {}) =>
    testCommand({CLAWD_API_URL: server.url, CLAWD_TOKEN: opts.token ?? user.accessToken, CLAWD_CONFIG_DIR: home.path}, opts)

  beforeAll(async () => {
    server = await startTestServer((c) => (c.instances.sandbox = 'none'))
    user = await newUser(server)
  })
  afterAll(async () => {
    await server?.dispose()
    home.dispose()
  })

  it('whoami says who, where and with which credential', async () => {
    const run = command()
    const result = await whoami(run.ctx)
    expect(result).toMatchObject({email: user.email, user_id: user.userId, api: server.url, source: 'env', token_kind: 'at', refreshes: false})
    expect(run.stdout()).toContain(`Logged in to ${server.url} as ${user.email} (${user.userId}).`)
    expect(run.stdout()).toContain('Credential: access token from the CLAWD_TOKEN environment variable')
  })

  it('whoami without a credential is "not logged in" (exit 4), before any request', async () => {
    const error = await failure(whoami(command({token: ''}).ctx))
    expect(error.exitCode).toBe(4)
  })

  it('tokens: create prints the token alone on stdout, list shows it, revoke removes it', async () => {
    const create = command()
    const created = await createToken(create.ctx, {name: 'seam-ci', expires: '30d'})
    expect(create.stdout()).toBe(created.token + '\n')
    expect(create.stderr()).toContain('Copy it now')

    const list = command()
    const listed = await listTokens(list.ctx, {limit: 20})
    expect(listed.tokens.map((t) => t.id)).toContain(created.id)
    expect(list.stdout()).toMatch(/^ID\s+NAME\s+CREATED\s+EXPIRES\s+LAST USED\n/)
    expect(list.stdout()).toContain('seam-ci')

    // No terminal to ask on: revoking needs --yes, and nothing is sent without it.
    expect((await failure(revokeToken(command().ctx, created.id, {yes: false}))).exitCode).toBe(2)
    const revoke = command()
    expect(await revokeToken(revoke.ctx, created.id, {yes: true})).toEqual({id: created.id, revoked: true})
    expect(revoke.stdout()).toBe(`Revoked token ${created.id}.\n`)
    expect((await listTokens(command().ctx, {all: true})).tokens.map((t) => t.id)).not.toContain(created.id)
  })

  it('tokens create with --json prints nothing for people: the result is the document', async () => {
    const run = command({json: true})
    const created = await createToken(run.ctx, {name: 'seam-json', expires: 'never'})
    expect(created.expires_at).toBeNull()
    expect(run.stdout()).toBe('')
    expect(run.stderr()).toBe('')
  })

  it('instances: create waits until it runs, show finds the only one, list has it', async () => {
    const create = command()
    const created = await createInstance(create.ctx, {name: 'seam-agent', model: 'dev/echo'}, {wait: true})
    expect(created).toMatchObject({name: 'seam-agent', state: 'running'})
    expect(create.stdout()).toContain(`seam-agent (${created.id})`)

    const show = command()
    expect((await showInstance(show.ctx, undefined)).id).toBe(created.id)
    expect(show.stdout()).toMatch(/state: +running/)

    const list = command()
    expect(await listInstances(list.ctx, {limit: 20})).toMatchObject({instances: [{id: created.id}], next_cursor: null})
    expect(list.stdout()).toMatch(/^NAME\s+ID\s+STATE/)
    expect(list.stdout()).toContain('seam-agent')
  })

  it('an unknown instance is the API’s 404, with its exit code', async () => {
    const error = await failure(showInstance(command().ctx, 'no-such-agent'))
    expect(error.exitCode).toBe(3)
  })
})
