import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {PassThrough, Writable} from 'node:stream'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {WorkspaceFile} from '../../src/contract/workspace.js'
import {readWorkspaceTar, workspaceTar, writeWorkspaceTar} from '../../src/workspace/archive.js'
import {readWorkspaceDir} from '../../src/workspace/disk.js'
import {TarError, iterateTar, readTar, tarBuffer, tarChunks} from '../../src/workspace/tar.js'
import {tempDir} from '../helpers/tmp.js'
import {paxData, rawArchive} from './tar-craft.js'
import {prng, randomFrom, validWorkspace, writeTree} from './fixtures.js'

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

function field(block: Uint8Array, offset: number, length: number): string {
  return Buffer.from(block.subarray(offset, offset + length)).toString('latin1')
}

describe('tar writer: deterministic bytes', () => {
  it('gives byte-identical archives across runs and input orders', () => {
    const files = validWorkspace()
    const first = workspaceTar(files)
    expect(workspaceTar(files).equals(first)).toBe(true)
    const rng = prng(7)
    for (let i = 0; i < 20; i++) expect(workspaceTar(shuffled(files, rng)).equals(first)).toBe(true)
  })

  it('does not depend on the files on disk: other mtimes, other creation order, same bytes', async () => {
    const a = tempDir('clawd-tar-a-')
    const b = tempDir('clawd-tar-b-')
    try {
      writeTree(a.path, validWorkspace())
      writeTree(b.path, [...validWorkspace()].reverse())
      utimesSync(join(a.path, 'SOUL.md'), new Date('2001-01-01'), new Date('2001-01-01'))
      utimesSync(join(b.path, 'memory', '2026-07-01.md'), new Date('2030-05-05'), new Date('2030-05-05'))
      const ta = workspaceTar((await readWorkspaceDir(a.path)).accepted)
      const tb = workspaceTar((await readWorkspaceDir(b.path)).accepted)
      expect(sha256(ta)).toBe(sha256(tb))
    } finally {
      a.dispose()
      b.dispose()
    }
  })

  it('writes sorted ustar entries with fixed metadata and the end-of-archive blocks', () => {
    const tar = workspaceTar(validWorkspace())
    expect(tar.length % 512).toBe(0)
    expect(tar.subarray(tar.length - 1024).every((b) => b === 0)).toBe(true)
    const headers: Array<{name: string; mode: string; type: string}> = []
    let off = 0
    while (!tar.subarray(off, off + 512).every((b) => b === 0)) {
      const h = tar.subarray(off, off + 512)
      const name = field(h, 0, 100).replace(/\0+$/, '')
      const size = parseInt(field(h, 124, 12), 8)
      headers.push({name, mode: field(h, 100, 8), type: field(h, 156, 1)})
      expect(field(h, 108, 8)).toBe('0000000\0') // uid
      expect(field(h, 116, 8)).toBe('0000000\0') // gid
      expect(field(h, 136, 12)).toBe('00000000000\0') // mtime
      expect(field(h, 257, 8)).toBe('ustar\x0000')
      expect(field(h, 265, 64)).toBe('\0'.repeat(64)) // uname, gname
      off += 512 + Math.ceil(size / 512) * 512
    }
    expect(headers).toEqual([
      {name: 'AGENTS.md', mode: '0000644\0', type: '0'},
      {name: 'IDENTITY.md', mode: '0000644\0', type: '0'},
      {name: 'MEMORY.md', mode: '0000644\0', type: '0'},
      {name: 'SOUL.md', mode: '0000644\0', type: '0'},
      {name: 'USER.md', mode: '0000644\0', type: '0'},
      {name: 'memory/', mode: '0000755\0', type: '5'},
      {name: 'memory/2026-07-01.md', mode: '0000644\0', type: '0'},
      {name: 'memory/2026-07-02-trip-plans.md', mode: '0000644\0', type: '0'},
    ])
    expect(off).toBe(tar.length - 1024)
  })

  it('keeps the same bytes as this version wrote (a format change must be deliberate)', () => {
    const tar = workspaceTar([
      {path: 'SOUL.md', content: '# SOUL.md\n\nKind.\n'},
      {path: 'memory/2026-01-02.md', content: 'note\n'},
    ])
    expect(tar.length).toBe(512 * 7)
    expect(sha256(tar)).toBe('8f187ce7ae0f24d64681ef7ee05a5d6e36e475c7fcc23af6243c032efc98397b')
  })

  it('writes exactly the bytes GNU tar writes for the same files with reproducible-build flags', () => {
    const dir = tempDir('clawd-tar-oracle-')
    try {
      const ws = join(dir.path, 'ws')
      writeTree(ws, validWorkspace())
      execFileSync('chmod', ['-R', 'u=rwX,go=rX', ws])
      const names = ['AGENTS.md', 'IDENTITY.md', 'MEMORY.md', 'SOUL.md', 'USER.md', 'memory']
      const gnuArgs = ['--format=ustar', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--blocking-factor=1']
      const gnu = execFileSync('tar', [...gnuArgs, '-cf', '-', '-C', ws, ...names])
      expect(sha256(workspaceTar(validWorkspace()))).toBe(sha256(gnu))
    } finally {
      dir.dispose()
    }
  })

  it('is read by GNU tar, with the same files, modes and owners', () => {
    const dir = tempDir('clawd-tar-gnu-')
    try {
      const tarPath = join(dir.path, 'ws.tar')
      writeFileSync(tarPath, workspaceTar(validWorkspace()))
      const listing = execFileSync('tar', ['--numeric-owner', '-tvf', tarPath], {encoding: 'utf8'})
      const lines = listing.trim().split('\n')
      expect(lines).toHaveLength(8)
      expect(lines[0]).toMatch(/^-rw-r--r-- 0\/0 .* 1970-01-01 00:00 AGENTS\.md$/)
      expect(lines.find((l) => l.endsWith(' memory/'))).toMatch(/^drwxr-xr-x 0\/0 /)
      const out = join(dir.path, 'out')
      mkdirSync(out)
      execFileSync('tar', ['-xf', tarPath, '-C', out])
      for (const f of validWorkspace()) expect(readFileSync(join(out, f.path), 'utf8')).toBe(f.content)
    } finally {
      dir.dispose()
    }
  })

  it('refuses paths it must not write, and duplicates', () => {
    expect(() => tarBuffer([{path: '../x', data: new Uint8Array(0)}])).toThrow(TarError)
    expect(() => tarBuffer([{path: '/abs', data: new Uint8Array(0)}])).toThrow(TarError)
    expect(() => tarBuffer([{path: 'a', data: new Uint8Array(0)}, {path: 'a', data: new Uint8Array(0)}])).toThrow(/twice/)
    expect(() => tarBuffer([{path: 'a', data: new Uint8Array(0)}, {path: 'a/b', data: new Uint8Array(0)}])).toThrow(/both a file and a directory/)
  })

  it('splits a long path into ustar prefix and name instead of using pax headers', () => {
    const long = `${'d'.repeat(70)}/${'f'.repeat(90)}`
    const tar = tarBuffer([{path: long, data: Buffer.from('x')}])
    expect(field(tar.subarray(512), 345, 70)).toBe('d'.repeat(70))
    expect(readTar(tar).map((e) => e.path)).toEqual([`${'d'.repeat(70)}`, long])
    expect(() => tarBuffer([{path: 'x'.repeat(101), data: new Uint8Array(0)}])).toThrow(/too long/)
  })
})

describe('tar writer: streaming', () => {
  it('streams the same bytes to a Writable, honouring backpressure', async () => {
    const files = validWorkspace()
    const chunks: Buffer[] = []
    let writes = 0
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, cb) {
        writes++
        chunks.push(Buffer.from(chunk))
        setImmediate(cb)
      },
    })
    await writeWorkspaceTar(files, slow)
    expect(Buffer.concat(chunks).equals(workspaceTar(files))).toBe(true)
    expect(writes).toBeGreaterThan(files.length)
    expect(slow.writableFinished).toBe(true)
  })

  it('leaves the stream open with end: false (stdout)', async () => {
    const out = new PassThrough()
    const collected: Buffer[] = []
    out.on('data', (c: Buffer) => collected.push(c))
    await writeWorkspaceTar(validWorkspace(), out, {end: false})
    expect(out.writableEnded).toBe(false)
    out.end()
    expect(Buffer.concat(collected).equals(workspaceTar(validWorkspace()))).toBe(true)
  })

  it('fails when the output breaks (a closed pipe)', async () => {
    const broken = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}))
      },
    })
    broken.on('error', () => {})
    await expect(writeWorkspaceTar(validWorkspace(), broken)).rejects.toThrow(/EPIPE|closed/)
  })

  it('yields chunks lazily from a generator', () => {
    const gen = tarChunks([{path: 'SOUL.md', data: Buffer.from('x')}])
    const first = gen.next()
    expect(first.done).toBe(false)
    expect((first.value as Uint8Array).length).toBe(512)
  })
})

describe('tar reader: round trip', () => {
  it('gives back the same files', () => {
    const files = validWorkspace()
    const entries = readTar(workspaceTar(files))
    expect(entries.filter((e) => e.type === 'file').map((e) => ({path: e.path, content: Buffer.from(e.data).toString('utf8')}))).toEqual(
      [...files].sort((a, b) => (a.path < b.path ? -1 : 1)),
    )
    const check = readWorkspaceTar(workspaceTar(files))
    expect(check.rejected).toEqual([])
    expect(check.skipped).toEqual([])
    expect(check.accepted).toEqual([...files].sort((a, b) => (a.path < b.path ? -1 : 1)))
  })

  it('property: random workspaces survive the round trip and give one archive whatever the order', () => {
    const seed = 424242
    const rng = prng(seed)
    const alphabet = 'abcXYZ 019\n\t#-*_.,;:!?()[]{}éßøñ€😀中文\r'
    for (let run = 0; run < 60; run++) {
      const names = ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'MEMORY.md'].filter(() => rng() < 0.7)
      const notes = Math.floor(rng() * 6)
      for (let i = 0; i < notes; i++) names.push(`memory/20${10 + Math.floor(rng() * 20)}-0${1 + Math.floor(rng() * 9)}-1${Math.floor(rng() * 9)}.md`)
      const files: WorkspaceFile[] = [...new Set(names)].map((path) => ({path, content: `x${randomFrom(alphabet, Math.floor(rng() * 2000), rng)}`}))
      const tar = workspaceTar(files)
      expect(workspaceTar(shuffled(files, rng)).equals(tar), `seed ${seed} run ${run}`).toBe(true)
      const back = readWorkspaceTar(tar)
      expect(back.rejected, `seed ${seed} run ${run}`).toEqual([])
      expect(back.accepted, `seed ${seed} run ${run}`).toEqual([...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path))))
      expect(workspaceTar(back.accepted).equals(tar)).toBe(true)
    }
  })

  it('reads archives GNU tar makes from a workspace directory (gnu, pax and long names)', async () => {
    const dir = tempDir('clawd-tar-in-')
    try {
      const ws = join(dir.path, 'ws')
      writeTree(ws, [...validWorkspace(), {path: `skills/${'long-skill-name-'.repeat(8)}/SKILL.md`, content: 'skill'}])
      for (const format of ['gnu', 'pax', 'ustar']) {
        const tarPath = join(dir.path, `ws-${format}.tar`)
        const args = ['--format', format, '-cf', tarPath, '-C', ws, '.']
        if (format === 'ustar') args.splice(0, 0, '--exclude', 'skills')
        execFileSync('tar', args)
        const check = readWorkspaceTar(readFileSync(tarPath))
        expect(check.rejected, format).toEqual([])
        const fromDir = (await readWorkspaceDir(ws)).accepted
        expect(check.accepted, format).toEqual(format === 'ustar' ? fromDir.filter((f) => !f.path.startsWith('skills/')) : fromDir)
        if (format !== 'ustar') expect(check.accepted.map((f) => f.path)).toContain(`skills/${'long-skill-name-'.repeat(8)}/SKILL.md`)
      }
    } finally {
      dir.dispose()
    }
  })

  it('uses the path from a pax header', () => {
    const tar = rawArchive([
      {name: 'PaxHeaders/x', type: 'x', data: paxData({path: 'SOUL.md', mtime: '1.5'})},
      {name: 'short-name-ignored', type: '0', data: 'kind\n'},
    ])
    expect(readWorkspaceTar(tar).accepted).toEqual([{path: 'SOUL.md', content: 'kind\n'}])
  })
})

describe('tar reader: refuses what must never be extracted', () => {
  const refusals: Array<[string, Parameters<typeof rawArchive>[0]]> = [
    ['a symlink', [{name: 'SOUL.md', type: '2', linkname: '/etc/passwd'}]],
    ['a hard link', [{name: 'SOUL.md', type: '1', linkname: '../../etc/passwd'}]],
    ['a character device', [{name: 'SOUL.md', type: '3'}]],
    ['a FIFO', [{name: 'SOUL.md', type: '6'}]],
    ['an absolute path', [{name: '/etc/cron.d/x', type: '0', data: 'x'}]],
    ['a traversal', [{name: '../SOUL.md', type: '0', data: 'x'}]],
    ['a traversal after a leading ./', [{name: './../../x', type: '0', data: 'x'}]],
    ['a nested traversal', [{name: 'memory/../../x', type: '0', data: 'x'}]],
    ['a traversal hidden in the prefix field', [{name: 'x', prefix: '..', type: '0', data: 'x'}]],
    ['a traversal in a pax path', [
      {name: 'PaxHeaders/x', type: 'x', data: paxData({path: '../../SOUL.md'})},
      {name: 'SOUL.md', type: '0', data: 'x'},
    ]],
    ['a backslash path', [{name: '..\\SOUL.md', type: '0', data: 'x'}]],
  ]

  for (const [what, entries] of refusals) {
    it(`readTar refuses ${what}`, () => {
      expect(() => readTar(rawArchive(entries))).toThrow(TarError)
      try {
        readTar(rawArchive(entries))
      } catch (err) {
        expect((err as TarError).code).toBe('refused')
      }
    })

    it(`readWorkspaceTar rejects ${what} with a reason and takes nothing from it`, () => {
      const check = readWorkspaceTar(rawArchive([...entries, {name: 'USER.md', type: '0', data: 'fine\n'}]))
      expect(check.accepted).toEqual([{path: 'USER.md', content: 'fine\n'}])
      expect(check.rejected).toHaveLength(1)
      expect(check.rejected[0]!.message.length).toBeGreaterThan(10)
    })
  }

  it('rejects a link entry whatever its name, without following it (links are never part of a pushed workspace)', () => {
    const check = readWorkspaceTar(rawArchive([{name: 'skills', type: '2', linkname: '/'}]))
    expect(check).toEqual({accepted: [], rejected: [expect.objectContaining({path: 'skills', code: 'symlink'})], skipped: []})
  })

  it('rejects non-UTF-8 and oversize entries, and a case variant of BOOTSTRAP.md', () => {
    const check = readWorkspaceTar(
      rawArchive([
        {name: 'SOUL.md', type: '0', data: Buffer.from([0x66, 0xff, 0x66])},
        {name: 'MEMORY.md', type: '0', data: Buffer.alloc(2 * 1024 * 1024 + 1, 0x61)},
        {name: 'bootstrap.md', type: '0', data: 'hello'},
      ]),
    )
    expect(check.rejected.map((r) => `${r.path}:${r.code}`)).toEqual(['MEMORY.md:too-large', 'SOUL.md:invalid-utf8', 'bootstrap.md:case-variant'])
  })

  it('fails on a corrupt or truncated archive', () => {
    const good = workspaceTar(validWorkspace())
    const bad = Buffer.from(good)
    bad[10] = bad[10]! ^ 0xff
    expect(() => readTar(bad)).toThrow(/checksum/)
    expect(() => readTar(good.subarray(0, good.length - 1024))).toThrow(/truncated/)
    expect(() => readTar(good.subarray(0, 700))).toThrow(/truncated/)
    expect(() => [...iterateTar(Buffer.alloc(100))]).toThrow(TarError)
  })

  it('bounds the number of entries', () => {
    const many = rawArchive(Array.from({length: 20}, (_, i) => ({name: `f${i}`, type: '0', data: 'x'})))
    expect(() => readTar(many, {maxEntries: 10})).toThrow(/more than 10 entries/)
  })
})
