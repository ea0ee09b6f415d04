import {request} from 'node:http'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {WORKSPACE_PUSH_MAX_BODY_BYTES} from '../../src/contract/workspace.js'
import {pushWorkspaceRefusedSchema} from '../../src/contract/workspace-push.js'
import {workspaceTar} from '../../src/workspace/archive.js'
import type {TestUser} from '../helpers/auth.js'
import {stubs} from '../workspace/fixtures.js'
import {rawArchive} from '../workspace/tar-craft.js'
import {keyLikeString, startPortability, type Portability} from './setup.js'

/**
 * The push endpoint itself, called raw (not through the CLI), refuses what `config push` refuses:
 * a client that skips the CLI gets the same answer, and a refused push changes nothing.
 */
describe('PUT /v1/instances/:ref/workspace (raw API)', () => {
  let p: Portability
  let alice: TestUser
  let bob: TestUser
  let instanceId: string
  const path = () => `/v1/instances/${instanceId}/workspace`
  const workspace = async () => {
    const res = await p.api(alice, 'GET', path())
    expect(res.status).toBe(200)
    return res.body.files as Array<{path: string; content: string}>
  }
  /** Pushes, expects a 422 that changed nothing, and returns the rejections. */
  const refused = async (body: unknown) => {
    const before = await workspace()
    const res = await p.api(alice, 'PUT', path(), body)
    expect(res.status, JSON.stringify(res.body)).toBe(422)
    expect(res.body.code).toBe('validation_failed')
    const parsed = pushWorkspaceRefusedSchema.parse(res.body)
    expect(parsed.applied).toEqual([])
    expect(await workspace()).toEqual(before)
    return parsed
  }

  beforeAll(async () => {
    p = await startPortability()
    alice = await p.user()
    bob = await p.user()
    instanceId = await p.instance(alice, 'pushed')
  })
  afterAll(async () => {
    await p?.server.stop()
  })

  it('needs a token, and another user’s instance does not exist', async () => {
    expect((await p.api(undefined, 'GET', path())).status).toBe(401)
    expect((await p.api(undefined, 'PUT', path(), {files: []})).status).toBe(401)
    const other = await p.api(bob, 'GET', path())
    expect(other.status).toBe(404)
    expect((await p.api(bob, 'PUT', path(), {files: [{path: 'SOUL.md', content: 'mine now\n'}]})).status).toBe(404)
    expect((await p.api(bob, 'GET', '/v1/instances/pushed/workspace')).status).toBe(404)
  })

  it('refuses traversal, absolute and backslash paths, and applies nothing else from that push', async () => {
    const res = await refused({
      files: [
        {path: 'SOUL.md', content: '# would be fine\n'},
        ...stubs('../escape.md', 'memory/../../etc/passwd', '/etc/passwd', 'C:/Windows/win.ini', 'memory\\..\\..\\x.md'),
      ],
    })
    expect(Object.fromEntries(res.rejected.map((r) => [r.path, r.code]))).toEqual({
      '../escape.md': 'traversal',
      'memory/../../etc/passwd': 'traversal',
      '/etc/passwd': 'absolute-path',
      'C:/Windows/win.ini': 'absolute-path',
      'memory\\..\\..\\x.md': 'backslash',
    })
  })

  it('refuses symlinks, hard links, devices and traversal inside a tar body', async () => {
    const archive = rawArchive([
      {name: 'AGENTS.md', type: '0', data: '# fine\n'},
      {name: 'SOUL.md', type: '2', linkname: '/etc/passwd'},
      {name: 'USER.md', type: '1', linkname: 'AGENTS.md'},
      {name: 'MEMORY.md', type: '3'},
      {name: '../outside.md', type: '0', data: 'x'},
    ])
    const res = await refused(archive)
    expect(Object.fromEntries(res.rejected.map((r) => [r.path, r.code]))).toEqual({
      'SOUL.md': 'symlink',
      'USER.md': 'not-regular',
      'MEMORY.md': 'not-regular',
      '../outside.md': 'traversal',
    })
    const corrupt = await p.api(alice, 'PUT', path(), new Uint8Array(Buffer.from('not a tar at all')))
    expect(corrupt.status).toBe(400)
  })

  it('refuses oversize files, as text and as bytes', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024 + 1)
    const res = await refused({
      files: [
        {path: 'USER.md', content: big},
        {path: 'MEMORY.md', content_base64: Buffer.from(big).toString('base64')},
      ],
    })
    expect(res.rejected.map((r) => [r.path, r.code])).toEqual([
      ['MEMORY.md', 'too-large'],
      ['USER.md', 'too-large'],
    ])
    // Past the body limit the server does not even read it.
    const huge = JSON.stringify({files: [{path: 'SOUL.md', content: 'y'.repeat(WORKSPACE_PUSH_MAX_BODY_BYTES + 1)}]})
    const before = await workspace()
    // 413, or a reset when the server closes on the unread body before its answer is read.
    expect([413, 'reset']).toContain(await statusOfLargePut(p.server.url + path(), alice.accessToken, huge))
    expect(await workspace()).toEqual(before)
  })

  it('refuses bytes that are not UTF-8, sent as base64, in a tar, or as a lone surrogate', async () => {
    const res = await refused({
      files: [
        {path: 'IDENTITY.md', content_base64: Buffer.from([0x23, 0x0a, 0x41, 0xff, 0xfe, 0x0a]).toString('base64')},
        {path: 'USER.md', content: 'ok\nbroken \ud800 here\n'},
      ],
    })
    expect(res.rejected).toEqual([
      expect.objectContaining({path: 'IDENTITY.md', code: 'invalid-utf8', line: 2}),
      expect.objectContaining({path: 'USER.md', code: 'invalid-utf8', line: 2}),
    ])
    const tar = await refused(rawArchive([{name: 'SOUL.md', type: '0', data: Buffer.from([0xc3, 0x28])}]))
    expect(tar.rejected).toEqual([expect.objectContaining({path: 'SOUL.md', code: 'invalid-utf8'})])
  })

  it('refuses secrets with file and line, without echoing them', async () => {
    const key = keyLikeString()
    const before = await workspace()
    const res = await p.api(alice, 'PUT', path(), {files: [{path: 'MEMORY.md', content: `# Memory\n\n- key: ${key}\n`}]})
    expect(res.status).toBe(422)
    expect(res.body.rejected).toEqual([expect.objectContaining({path: 'MEMORY.md', code: 'secret', line: 3})])
    expect(res.body.detail).toMatch(/MEMORY\.md line 3/)
    expect(JSON.stringify(res.body)).not.toContain(key.slice(7))
    expect(await workspace()).toEqual(before)
  })

  it('lists unknown names as skipped, applies the rest, and replaces the whole workspace', async () => {
    const res = await p.api(alice, 'PUT', path(), {
      files: [
        {path: 'SOUL.md', content: '# Soul\n'},
        ...stubs('notes.txt', 'skills/x.md', 'skills/x/SKILL.md'),
        {path: 'memory/2026-07-01.md', content_base64: Buffer.from('# note ✓\n').toString('base64')},
      ],
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.applied).toEqual(['SOUL.md', 'memory/2026-07-01.md', 'skills/x/SKILL.md'])
    expect(res.body.skipped.map((s: any) => [s.path, s.code])).toEqual([
      ['notes.txt', 'unknown-name'],
      ['skills/x.md', 'unknown-name'],
    ])
    expect(res.body.rejected).toEqual([])
    expect(await workspace()).toEqual([
      {path: 'SOUL.md', content: '# Soul\n'},
      {path: 'memory/2026-07-01.md', content: '# note ✓\n'},
      {path: 'skills/x/SKILL.md', content: 'x'},
    ])

    // A push with nothing to apply would empty the workspace: refused.
    const empty = await refused({files: [{path: 'notes.txt', content: 'x'}]})
    expect(empty.skipped.map((s) => s.path)).toEqual(['notes.txt'])
    expect((await p.api(alice, 'PUT', path(), {files: [{path: 'SOUL.md', content: 'x', extra: 1}]})).status).toBe(400)

    // A well-formed tar is a body like any other.
    const tar = await p.api(alice, 'PUT', path(), new Uint8Array(workspaceTar([{path: 'AGENTS.md', content: '# from tar\n'}])))
    expect(tar.status, JSON.stringify(tar.body)).toBe(200)
    expect(await workspace()).toEqual([{path: 'AGENTS.md', content: '# from tar\n'}])
  })
})

/**
 * The status of a PUT whose body the server refuses before reading it all. The server answers 413
 * and closes; with the body still arriving, the kernel may reset the connection and drop that
 * answer before the client reads it. Either way the body was refused: 'reset' says which.
 */
function statusOfLargePut(url: string, token: string, body: string): Promise<number | 'reset'> {
  return new Promise((resolve, reject) => {
    const req = request(url, {method: 'PUT', headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body)}, timeout: 30_000})
    req.on('response', (res) => {
      res.resume()
      resolve(res.statusCode!)
    })
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve('reset') : reject(error)))
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.end(body)
  })
}
