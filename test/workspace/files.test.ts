import {join, relative, resolve, sep} from 'node:path'
import {describe, expect, it} from 'vitest'
import {classifyPath, isRealDate} from '../../src/workspace/files.js'
import {prng, randomFrom} from './fixtures.js'

const verdict = (path: string) => classifyPath(path)

describe('classifyPath: the allowed names', () => {
  it.each(['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'MEMORY.md'])('accepts %s at the root', (name) => {
    expect(verdict(name)).toEqual({kind: 'accepted', path: name})
  })

  it.each(['soul.md', 'Soul.md', 'SOUL.MD', 'memory.md', 'agents.md', 'Identity.md', 'user.MD', 'tools.md'])(
    'rejects the case variant %s, naming the exact name OpenClaw loads',
    (name) => {
      const v = verdict(name)
      expect(v.kind).toBe('rejected')
      if (v.kind !== 'rejected') return
      expect(v.code).toBe('case-variant')
      expect(v.message).toContain(name)
      expect(v.message).toMatch(/exact case/)
    },
  )

  it.each(['BOOTSTRAP.md', 'TOOLS.md', 'HEARTBEAT.md', 'dreams.md'])('rule: accepts %s at the root, kept as the user had it', (name) => {
    expect(verdict(name)).toEqual({kind: 'accepted', path: name})
    expect(verdict(name)).toEqual({kind: 'accepted', path: name})
  })

  it.each(['bootstrap.md', 'Bootstrap.MD', 'Heartbeat.md', 'DREAMS.md'])('rejects the case variant %s', (name) => {
    expect(verdict(name)).toMatchObject({kind: 'rejected', code: 'case-variant'})
  })

  it.each(['README.md', 'notes.txt', '.DS_Store', '.git', '.git/config', 'sub/SOUL.md', 'canvas/index.html', '.openclaw/state.json', 'memory', 'skills', 'skills/README.md', 'BOOT.md'])(
    'rule: skips and names %s (not part of an OpenClaw workspace)',
    (path) => {
      const v = verdict(path)
      expect(v).toMatchObject({kind: 'skipped', code: 'unknown-name'})
      if (v.kind === 'skipped') expect(v.message).toContain(path)
    },
  )
})

describe('classifyPath: memory notes and skills', () => {
  it.each(['memory/2026-07-01.md', 'memory/2026-07-01-trip-plans.md', 'memory/topic.md', 'memory/projects/clawd.md', 'memory/a/b/c.md', 'memory/2026-13-45.md'])(
    'rule: accepts any memory/**/*.md: %s',
    (path) => {
      expect(verdict(path)).toEqual({kind: 'accepted', path})
    },
  )

  it.each(['skills/weather/SKILL.md', 'skills/weather/scripts/fetch.sh', 'skills/weather/references/api.md', 'skills/a/b/c/d.txt'])(
    'rule: accepts a skill directory\'s files: %s',
    (path) => {
      expect(verdict(path)).toEqual({kind: 'accepted', path})
    },
  )

  it.each(['memory/notes.txt', 'memory/.DS_Store'])('skips %s: not a markdown note', (path) => {
    expect(verdict(path)).toMatchObject({kind: 'skipped', code: 'unknown-name'})
  })

  it.each(['memory/2026-07-01.MD', 'Memory/2026-07-01.md', 'MEMORY/2026-07-01.md', 'Skills/x/SKILL.md'])('rejects the case variant %s', (path) => {
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
    ['memory/\u202e../x.md', 'control-char'],
    ['skills/a\u2066b/SKILL.md', 'control-char'],
    ['memory//2026-07-01.md', 'empty-segment'],
    ['./SOUL.md', 'empty-segment'],
    ['memory/./2026-07-01.md', 'empty-segment'],
    ['SOUL.md/', 'empty-segment'],
    [`memory/${'a'.repeat(300)}.md`, 'path-too-long'],
  ]
  it.each(cases)('rejects %j as %s', (path, code) => {
    const v = verdict(path)
    expect(v).toMatchObject({kind: 'rejected', code})
  })

  it('names the path in the message, with control characters escaped', () => {
    const v = verdict('../x\u001b[31m')
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
      const v = classifyPath(path)
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
