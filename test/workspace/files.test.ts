import {join, relative, resolve, sep} from 'node:path'
import {describe, expect, it} from 'vitest'
import {classifyPath, isRealDate} from '../../src/workspace/files.js'
import {prng, randomFrom} from './fixtures.js'

const verdict = (path: string, legacy = false) => classifyPath(path, {legacy})

describe('classifyPath: the allowed names', () => {
  it.each(['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'MEMORY.md'])('accepts %s at the root', (name) => {
    expect(verdict(name)).toEqual({kind: 'accepted', path: name})
  })

  it.each(['soul.md', 'Soul.md', 'SOUL.MD', 'memory.md', 'agents.md', 'Identity.md', 'user.MD', 'tools.md'])(
    'rejects the case variant %s, naming the exact name OpenClaw loads',
    (name) => {
      const v = verdict(name, true)
      expect(v.kind).toBe('rejected')
      if (v.kind !== 'rejected') return
      expect(v.code).toBe('case-variant')
      expect(v.message).toContain(name)
      expect(v.message).toMatch(/exact case/)
    },
  )

  it('accepts TOOLS.md and HEARTBEAT.md only in legacy mode, and skips them with a reason otherwise', () => {
    for (const name of ['TOOLS.md', 'HEARTBEAT.md']) {
      expect(verdict(name, true)).toEqual({kind: 'accepted', path: name})
      const v = verdict(name, false)
      expect(v).toMatchObject({kind: 'skipped', code: 'legacy-only'})
      if (v.kind === 'skipped') expect(v.message).toMatch(/--legacy/)
    }
  })

  it.each(['BOOTSTRAP.md', 'bootstrap.md', 'Bootstrap.MD'])('rejects %s in every mode', (name) => {
    expect(verdict(name, true)).toMatchObject({kind: 'rejected', code: 'bootstrap'})
    expect(verdict(name, false)).toMatchObject({kind: 'rejected', code: 'bootstrap'})
  })

  it.each(['README.md', 'notes.txt', '.DS_Store', 'skills/foo/SKILL.md', 'sub/SOUL.md', 'canvas/index.html', 'memory', 'memory/notes.md', 'memory/archive/2026-01-01.md', 'BOOT.md', 'DREAMS.md'])(
    'skips the unknown name %s',
    (path) => {
      expect(verdict(path)).toMatchObject({kind: 'skipped', code: 'unknown-name'})
    },
  )
})

describe('classifyPath: daily notes', () => {
  it.each(['memory/2026-07-01.md', 'memory/2024-02-29.md', 'memory/2026-07-01-1530.md', 'memory/2026-07-01-trip-plans.md', 'memory/1999-12-31.md'])(
    'accepts %s',
    (path) => {
      expect(verdict(path)).toEqual({kind: 'accepted', path})
    },
  )

  it.each(['memory/2023-02-29.md', 'memory/2026-13-01.md', 'memory/2026-00-10.md', 'memory/2026-04-31.md', 'memory/2026-07-00.md', 'memory/2026-07-32-x.md'])(
    'rejects %s: not a real date',
    (path) => {
      expect(verdict(path)).toMatchObject({kind: 'rejected', code: 'invalid-date'})
    },
  )

  it.each(['memory/2026-07-01.MD', 'memory/2026-07-01-Trip.md', 'Memory/2026-07-01.md', 'MEMORY/2026-07-01.md'])('rejects the case variant %s', (path) => {
    expect(verdict(path)).toMatchObject({kind: 'rejected', code: 'case-variant'})
  })

  it('checks dates against the calendar', () => {
    expect(isRealDate(2000, 2, 29)).toBe(true)
    expect(isRealDate(1900, 2, 29)).toBe(false)
    expect(isRealDate(2026, 6, 31)).toBe(false)
  })
})

describe('classifyPath: path attacks are rejected before any name is looked at', () => {
  const cases: Array<[string, string]> = [
    ['', 'empty-path'],
    ['../SOUL.md', 'traversal'],
    ['memory/../../etc/passwd', 'traversal'],
    ['memory/..', 'traversal'],
    ['/etc/passwd', 'absolute-path'],
    ['/SOUL.md', 'absolute-path'],
    ['C:/Users/x/SOUL.md', 'absolute-path'],
    ['c:SOUL.md', 'absolute-path'],
    ['..\\SOUL.md', 'backslash'],
    ['memory\\2026-07-01.md', 'backslash'],
    ['SOUL.md\0.txt', 'nul-in-path'],
    ['SOUL.md\n', 'control-char'],
    ['memory//2026-07-01.md', 'empty-segment'],
    ['./SOUL.md', 'empty-segment'],
    ['memory/./2026-07-01.md', 'empty-segment'],
    ['SOUL.md/', 'empty-segment'],
    [`memory/${'a'.repeat(300)}.md`, 'path-too-long'],
  ]
  it.each(cases)('rejects %j as %s', (path, code) => {
    const v = verdict(path, true)
    expect(v).toMatchObject({kind: 'rejected', code})
  })

  it('names the path in the message, with control characters escaped', () => {
    const v = verdict('../x\u001b[31m', true)
    expect(v.kind).toBe('rejected')
    if (v.kind === 'rejected') {
      expect(v.message).not.toContain('\u001b')
      expect(v.message).toContain('../x')
    }
  })

  it('property: no accepted path ever resolves outside the workspace or to another spelling', () => {
    const seed = 20260701
    const rng = prng(seed)
    const pieces = ['..', '.', '', 'memory', 'SOUL.md', 'soul.md', '2026-07-01.md', '/', '\\', '\0', 'C:', 'a', 'MEMORY.md', '..%2f', '~']
    const root = resolve('/tmp/ws-root')
    let accepted = 0
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(rng() * 4)
      const parts: string[] = []
      for (let k = 0; k < n; k++) parts.push(rng() < 0.8 ? pieces[Math.floor(rng() * pieces.length)]! : randomFrom('./\\a.M-', 3, rng))
      const path = parts.join(rng() < 0.8 ? '/' : '')
      const v = classifyPath(path, {legacy: true})
      if (v.kind !== 'accepted') continue
      accepted++
      const abs = join(root, path)
      const rel = relative(root, abs)
      expect(rel.startsWith('..'), `seed ${seed}: ${JSON.stringify(path)}`).toBe(false)
      expect(rel.split(sep).join('/'), `seed ${seed}: ${JSON.stringify(path)}`).toBe(path)
    }
    expect(accepted).toBeGreaterThan(0)
  })
})
