import {randomBytes} from 'node:crypto'
import {readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {rawArchive, type RawEntrySpec} from '../workspace/tar-craft.js'
import {expectProblem} from './http.js'
import {startWorld, type World} from './world.js'

/** Every path under `dir` (bounded), for "did anything land where it should not" checks. */
function walk(dir: string, out: string[] = [], budget = {left: 20_000}): string[] {
  let entries
  try {
    entries = readdirSync(dir, {withFileTypes: true})
  } catch {
    return out
  }
  for (const e of entries) {
    if (budget.left-- <= 0) break
    const p = join(dir, e.name)
    out.push(p)
    if (e.isDirectory() && !e.isSymbolicLink()) walk(p, out, budget)
  }
  return out
}

/**
 * Traversal in every path-bearing input of the API: instance refs, session and message ids, key
 * names, and workspace file paths (JSON and tar, with symlink and hard-link tricks). Each attempt
 * is refused, nothing is applied, and no file named by the attack appears anywhere under the
 * server's data dir or the temp dir around it.
 */
describe('traversal and links in every path-bearing input', () => {
  let w: World
  const marker = `h11trav${randomBytes(4).toString('hex')}`
  const token = () => w.alice.user.accessToken
  const base = () => `/v1/instances/${w.alice.instance.id}`
  const workspace = async () => (await w.api(token(), 'GET', `${base()}/workspace`)).body.files

  beforeAll(async () => {
    w = await startWorld()
  })
  afterAll(() => w?.dispose())

  const escapes = () => [
    `../${marker}.md`,
    `../../${marker}.md`,
    `../../../../../../../../tmp/${marker}.md`,
    `memory/../../${marker}.md`,
    `memory/./../../${marker}.md`,
    `memory/2026-01-01.md/../../../${marker}.md`,
    `SOUL.md/../../${marker}.md`,
    `/tmp/${marker}.md`,
    `//tmp/${marker}.md`,
    `~/${marker}.md`,
    `memory\\..\\..\\${marker}.md`,
    `\uff0e\uff0e/${marker}.md`,
    `%2e%2e/${marker}.md`,
    `..%2f${marker}.md`,
    `SOUL.md\u0000/../../${marker}.md`,
    `${'a/'.repeat(150)}../${marker}.md`,
    `memory/\u202e../${marker}.md`,
  ]

  /** What a workspace may hold (DESIGN §5); anything applied outside this list is an escape. */
  const LEGIT = /^((AGENTS|SOUL|IDENTITY|USER|MEMORY|TOOLS|HEARTBEAT|BOOTSTRAP)\.md|dreams\.md|memory\/([\w.-]+\/)*[\w.-]+\.md|skills\/[\w.-]+\/([\w.-]+\/)*[\w.-]+)$/
  const noMarkerInWorkspace = async () => {
    const files = (await workspace()) as Array<{path: string; content: string}>
    expect(files.filter((f) => f.path.includes(marker) || f.content.includes(marker) || !LEGIT.test(f.path))).toEqual([])
  }

  it('workspace paths in JSON: every escape is rejected or skipped, never applied', async () => {
    for (const path of escapes()) {
      const res = await w.api(token(), 'PUT', `${base()}/workspace`, {body: {files: [{path, content: `# ${marker}\n`}, {path: 'SOUL.md', content: '# ok\n'}]}})
      const what = `${JSON.stringify(path)} → ${res.status} ${res.text.slice(0, 300)}`
      expect([200, 400, 422], what).toContain(res.status)
      if (res.status >= 400) expectProblem(res, res.status, what)
      if (res.status !== 400) {
        expect(res.body.applied.filter((p: string) => !LEGIT.test(p)), what).toEqual([])
        // A name that only looks odd (`~/x.md`) is skipped as unknown; one that climbs is rejected.
        expect([...res.body.rejected, ...res.body.skipped].map((r: {path: string}) => r.path), what).toContain(path)
        if (path.split(/[/\\]/).includes('..')) expect(res.body.rejected.map((r: {path: string}) => r.path), what).toContain(path)
      }
    }
    await noMarkerInWorkspace()
  })

  it('workspace tar bodies: traversal names, absolute names, symlinks and hard links (also written through) are refused', async () => {
    const attacks: RawEntrySpec[][] = [
      ...escapes().slice(0, 8).map((name) => [{name, type: '0', data: `# ${marker}\n`}]),
      // A symlink, then a file "inside" it: the classic write-through-a-link archive.
      [{name: 'memory', type: '2', linkname: `../../${marker}`}, {name: 'memory/2026-01-01.md', type: '0', data: '# through\n'}],
      [{name: 'memory', type: '2', linkname: '/tmp'}, {name: `memory/${marker}.md`, type: '0', data: 'x'}],
      [{name: 'SOUL.md', type: '2', linkname: `/tmp/${marker}.md`}, {name: 'SOUL.md', type: '0', data: '# overwrite through the link\n'}],
      [{name: 'SOUL.md', type: '1', linkname: `../../${marker}.md`}],
      [{name: 'USER.md', type: '1', linkname: '/etc/passwd'}],
      [{name: `${marker}.md`, type: '0', data: 'x', prefix: '../..'}],
      [{name: 'AGENTS.md', type: '0', data: 'x', prefix: '/tmp'}],
      [{name: 'memory', type: '5'}, {name: 'memory/..', type: '5'}, {name: `memory/../${marker}.md`, type: '0', data: 'x'}],
    ]
    for (const entries of attacks) {
      const archive = rawArchive([{name: 'AGENTS.md', type: '0', data: '# fine\n'}, ...entries])
      const res = await w.api(token(), 'PUT', `${base()}/workspace`, {raw: archive, contentType: 'application/x-tar'})
      const label = entries.map((e) => `${e.type}:${e.prefix ? e.prefix + '/' : ''}${e.name}${e.linkname ? '->' + e.linkname : ''}`).join(', ')
      const what = `${label} → ${res.status} ${res.text.slice(0, 300)}`
      expect([200, 400, 422], what).toContain(res.status)
      if (res.status >= 400) expectProblem(res, res.status, what)
      if (res.status === 400) continue
      expect(res.body.applied.filter((p: string) => !LEGIT.test(p)), what).toEqual([])
      for (const link of entries.filter((e) => e.type === '1' || e.type === '2')) {
        expect(res.body.applied, `${what}: the link ${link.name} was applied`).not.toContain(link.name)
      }
    }
    await noMarkerInWorkspace()
  })

  it('a link entry in a tar push is rejected with a reason whatever its name, so the push is refused (the push contract)', async () => {
    // src/contract/workspace-push.ts: "Symlinks, hard links and devices are rejected with reasons,
    // never extracted". A link whose name is not a workspace file must not slip through as "skipped".
    for (const link of [
      {name: 'memory', type: '2', linkname: '../../elsewhere'},
      {name: 'notes', type: '2', linkname: '/etc'},
      {name: 'skills.md', type: '1', linkname: '/etc/passwd'},
    ]) {
      const archive = rawArchive([{name: 'AGENTS.md', type: '0', data: '# fine\n'}, link, {name: 'memory/2026-01-01.md', type: '0', data: '# note\n'}])
      const res = await w.api(token(), 'PUT', `${base()}/workspace`, {raw: archive, contentType: 'application/x-tar'})
      const what = `${link.type}:${link.name}->${link.linkname} → ${res.status} ${res.text.slice(0, 300)}`
      expect(res.status, what).toBe(422)
      expect(res.body.rejected.map((r: {path: string}) => r.path), what).toContain(link.name)
    }
  })

  it('key names, session ids, message ids and instance refs that climb out are 4xx and touch nothing', async () => {
    const keysBefore = (await w.api(token(), 'GET', `${base()}/keys`)).body
    const sessionsBefore = (await w.api(token(), 'GET', `${base()}/sessions`)).body
    const bobsWorkspace = (await w.api(w.bob.user.accessToken, 'GET', `/v1/instances/${w.bob.instance.id}/workspace`)).body
    const climbs = [
      `..%2F..%2F${marker}`,
      `..%2Fkeys%2F${w.alice.keyName}`,
      `..%2F..%2F..%2F${w.bob.instance.id}`,
      '..',
      '%2e%2e',
      `${w.alice.keyName}%2F..%2F..%2Fvault`,
      `${w.alice.session.id}%2F..%2F..`,
      `.%2F${w.alice.session.id}`,
    ]
    const attempts: Array<[string, string, unknown?]> = []
    for (const c of climbs) {
      attempts.push(['PUT', `${base()}/keys/${c}`, {kid: '0123456789abcdef', enc: 'A'.repeat(43), ct: 'B'.repeat(40), version: 9, fingerprint: '01234567'}])
      attempts.push(['DELETE', `${base()}/keys/${c}`])
      attempts.push(['GET', `${base()}/sessions/${c}`])
      attempts.push(['DELETE', `${base()}/sessions/${c}`])
      attempts.push(['POST', `${base()}/sessions/${c}/messages`, {content: 'x'}])
      attempts.push(['GET', `${base()}/sessions/${w.alice.session.id}/messages/${c}/events`])
      attempts.push(['GET', `/v1/instances/${c}`])
      attempts.push(['GET', `/v1/instances/${c}/workspace`])
      attempts.push(['PUT', `/v1/instances/${c}/workspace`, {files: [{path: 'SOUL.md', content: `# ${marker}\n`}]}])
      attempts.push(['GET', `/v1/instances/${w.alice.instance.id}%2F..%2F${c}/keys`])
    }
    for (const [method, path, body] of attempts) {
      const res = await w.api(token(), method, path, {body})
      expect(res.status >= 400 && res.status < 500, `${method} ${path} → ${res.status} ${res.text.slice(0, 200)}`).toBe(true)
      expectProblem(res, res.status, `${method} ${path}`)
    }
    expect((await w.api(token(), 'GET', `${base()}/keys`)).body).toEqual(keysBefore)
    expect((await w.api(token(), 'GET', `${base()}/sessions`)).body.sessions.map((s: {id: string}) => s.id)).toEqual(
      sessionsBefore.sessions.map((s: {id: string}) => s.id),
    )
    expect((await w.api(w.bob.user.accessToken, 'GET', `/v1/instances/${w.bob.instance.id}/workspace`)).body).toEqual(bobsWorkspace)
  })

  it('afterwards no file named by an attack exists under the data dir or the temp dir around it', () => {
    const places = [...walk(w.server.dataDir), ...walk(dirname(w.server.dataDir), [], {left: 5000}), ...walk(tmpdir(), [], {left: 5000})]
    expect(places.filter((p) => p.includes(marker))).toEqual([])
  })
})
