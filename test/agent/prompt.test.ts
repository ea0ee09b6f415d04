import {describe, expect, it} from 'vitest'
import {
  PER_FILE_MAX_CHARS,
  TOTAL_MAX_CHARS,
  WORKSPACE_FILES,
  buildSystemPrompt,
  cutHeadTail,
  selectProjectContextFiles,
} from '../../src/agent/prompt.js'
import {starterWorkspace} from '../../src/agent/workspace-defaults.js'

const all = (text: (name: string) => string) => Object.fromEntries(WORKSPACE_FILES.map(n => [n, text(n)]))

/** Text whose every position is identifiable, so head/tail slices can be checked exactly. */
function numbered(length: number, prefix = ''): string {
  let out = prefix
  for (let i = 0; out.length < length; i++) out += `${i % 10}`
  return out.slice(0, length)
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return true
  }
  return false
}

describe('buildSystemPrompt: layout', () => {
  it('starts with # Project Context and gives each file a ## heading, in the fixed order', () => {
    // Insertion order of the input must not matter.
    const prompt = buildSystemPrompt({
      'MEMORY.md': 'memory text',
      'USER.md': 'user text',
      'IDENTITY.md': 'identity text',
      'SOUL.md': 'soul text',
      'AGENTS.md': 'agents text',
    })
    expect(prompt.startsWith('# Project Context\n')).toBe(true)
    const headings = prompt.split('\n').filter(l => l.startsWith('## '))
    expect(headings).toEqual(['## AGENTS.md', '## SOUL.md', '## IDENTITY.md', '## USER.md', '## MEMORY.md'])
    expect(prompt).toContain('## AGENTS.md\n\nagents text\n\n## SOUL.md\n\nsoul text\n')
    expect(prompt.endsWith('## MEMORY.md\n\nmemory text')).toBe(true)
    expect(prompt).toContain('The following project context files have been loaded:')
  })

  it('adds the persona line only when SOUL.md is injected', () => {
    expect(buildSystemPrompt(all(n => `${n} body`))).toMatch(/SOUL\.md sets your persona/)
    const noSoul = buildSystemPrompt({'AGENTS.md': 'a', 'SOUL.md': '   \n', 'IDENTITY.md': 'i', 'USER.md': 'u'})
    expect(noSoul).not.toMatch(/SOUL\.md sets your persona/)
  })

  it('accepts a Map as well as a record', () => {
    const map = new Map(WORKSPACE_FILES.map(n => [n, `${n} body`]))
    expect(buildSystemPrompt(map)).toBe(buildSystemPrompt(all(n => `${n} body`)))
  })

  it('ignores files that are not part of the workspace', () => {
    const prompt = buildSystemPrompt({...all(n => `${n} body`), 'TOOLS.md': 'tools', 'BOOTSTRAP.md': 'boot'})
    expect(prompt).not.toContain('tools')
    expect(prompt).not.toContain('BOOTSTRAP')
  })

  it('keeps file text as is apart from trailing whitespace', () => {
    const text = '  indented\n\n# a heading inside\n\ttab\n'
    const prompt = buildSystemPrompt({...all(() => 'x'), 'AGENTS.md': `${text}\n\n  `})
    expect(prompt).toContain(`## AGENTS.md\n\n${text.trimEnd()}\n\n## SOUL.md`)
  })
})

describe('buildSystemPrompt: missing and empty files (as OpenClaw)', () => {
  it('notes a missing required file with a [MISSING] line', () => {
    const prompt = buildSystemPrompt({'AGENTS.md': 'a', 'IDENTITY.md': 'i', 'USER.md': 'u'})
    expect(prompt).toContain('## SOUL.md\n\n[MISSING] Expected at: SOUL.md')
  })

  it('leaves out MEMORY.md when it is absent (optional in OpenClaw)', () => {
    const prompt = buildSystemPrompt({'AGENTS.md': 'a', 'SOUL.md': 's', 'IDENTITY.md': 'i', 'USER.md': 'u'})
    expect(prompt).not.toContain('MEMORY.md')
  })

  it('leaves out an empty or whitespace-only file entirely', () => {
    const prompt = buildSystemPrompt({...all(n => `${n} body`), 'USER.md': ' \n\t\n', 'IDENTITY.md': ''})
    expect(prompt).not.toContain('## USER.md')
    expect(prompt).not.toContain('## IDENTITY.md')
    expect(prompt).toContain('## MEMORY.md')
  })

  it('returns an empty prompt when nothing would be injected', () => {
    expect(buildSystemPrompt({'AGENTS.md': '', 'SOUL.md': '', 'IDENTITY.md': '', 'USER.md': ''})).toBe('')
  })
})

describe('per-file limit', () => {
  it('leaves a file of exactly 20,000 characters whole', () => {
    const text = numbered(PER_FILE_MAX_CHARS)
    const [agents] = selectProjectContextFiles({...all(() => 'x'), 'AGENTS.md': text})
    expect(agents!.truncated).toBe(false)
    expect(agents!.content).toBe(text)
  })

  it('cuts a longer file to at most 20,000 characters with a marker naming the file', () => {
    const text = numbered(PER_FILE_MAX_CHARS + 1)
    const [agents] = selectProjectContextFiles({...all(() => 'x'), 'AGENTS.md': text})
    expect(agents!.truncated).toBe(true)
    expect(agents!.originalLength).toBe(PER_FILE_MAX_CHARS + 1)
    expect(agents!.content.length).toBeLessThanOrEqual(PER_FILE_MAX_CHARS)
    expect(agents!.content.length).toBeGreaterThan(PER_FILE_MAX_CHARS - 5)
    expect(agents!.content).toContain('[...truncated, read AGENTS.md for full content...]')
    expect(agents!.content).toMatch(/…\(truncated AGENTS\.md: kept \d+\+\d+ chars of 20001\)…/)
  })

  it('applies the limit to every file, not just the first', () => {
    const files = selectProjectContextFiles(all(n => numbered(30_000, n)))
    for (const f of files.slice(0, 2)) {
      expect(f.truncated).toBe(true)
      expect(f.content.length).toBeLessThanOrEqual(PER_FILE_MAX_CHARS)
      expect(f.content).toContain(`read ${f.name} for full content`)
    }
  })
})

describe('the 75/25 head-tail split', () => {
  it('keeps the head and the tail of the text exactly, 75 % and 25 % of the room', () => {
    const text = numbered(100_000, 'HEAD-START ') + ' TAIL-END'
    const {content} = cutHeadTail(text, 'SOUL.md', PER_FILE_MAX_CHARS)
    const m = /kept (\d+)\+(\d+) chars of (\d+)/.exec(content)!
    const head = Number(m[1])
    const tail = Number(m[2])
    expect(Number(m[3])).toBe(text.length)
    expect(content.startsWith(text.slice(0, head))).toBe(true)
    expect(content.endsWith(text.slice(text.length - tail))).toBe(true)
    expect(content.startsWith('HEAD-START')).toBe(true)
    expect(content.endsWith('TAIL-END')).toBe(true)
    expect(Math.abs(head / (head + tail) - 0.75)).toBeLessThan(0.001)
    // The room is used, not wasted: head + tail + marker fill the limit.
    expect(content.length).toBeGreaterThanOrEqual(PER_FILE_MAX_CHARS - 2)
  })

  it('puts the marker between head and tail, on its own lines', () => {
    const text = 'H'.repeat(500) + 'T'.repeat(500)
    const {content} = cutHeadTail(text, 'USER.md', 400)
    expect(content).toMatch(
      /^H+\n\n\[\.\.\.truncated, read USER\.md for full content\.\.\.\]\n…\(truncated USER\.md: kept \d+\+\d+ chars of 1000\)…\n\nT+$/,
    )
  })

  it('uses a compact marker when the room is too small for the full one, and still fits', () => {
    const text = numbered(5000)
    for (const max of [20, 40, 64, 100, 120]) {
      const {content, truncated} = cutHeadTail(text, 'IDENTITY.md', max)
      expect(truncated).toBe(true)
      expect(content.length).toBeLessThanOrEqual(max)
    }
    expect(cutHeadTail(text, 'IDENTITY.md', 64).content).toContain('[…truncated')
  })
})

describe('total limit across files', () => {
  it('keeps the sum of injected text within 60,000 characters', () => {
    const files = selectProjectContextFiles(all(n => numbered(50_000, n)))
    const sum = files.reduce((s, f) => s + f.content.length, 0)
    expect(sum).toBeLessThanOrEqual(TOTAL_MAX_CHARS)
    // Three full files fill the budget; the fourth would start with nothing left.
    expect(files.map(f => f.name)).toEqual(['AGENTS.md', 'SOUL.md', 'IDENTITY.md'])
  })

  it('cuts the file that crosses the total with the same head/tail marker', () => {
    const files = selectProjectContextFiles({
      'AGENTS.md': numbered(19_000),
      'SOUL.md': numbered(19_000),
      'IDENTITY.md': numbered(19_000),
      'USER.md': numbered(10_000, 'USER-HEAD '),
    })
    const user = files.find(f => f.name === 'USER.md')!
    expect(user.truncated).toBe(true)
    expect(user.content.length).toBeLessThanOrEqual(TOTAL_MAX_CHARS - 3 * 19_000)
    expect(user.content.startsWith('USER-HEAD')).toBe(true)
    expect(user.content).toContain('[...truncated, read USER.md for full content...]')
    expect(files.reduce((s, f) => s + f.content.length, 0)).toBeLessThanOrEqual(TOTAL_MAX_CHARS)
  })

  it('counts [MISSING] notes against the total and honours smaller configured limits', () => {
    const files = selectProjectContextFiles({'AGENTS.md': numbered(500), 'IDENTITY.md': 'i', 'USER.md': 'u'}, {
      perFileMaxChars: 300,
      totalMaxChars: 400,
    })
    expect(files[0]!.content.length).toBeLessThanOrEqual(300)
    expect(files[1]!.missing).toBe(true)
    expect(files.reduce((s, f) => s + f.content.length, 0)).toBeLessThanOrEqual(400)
  })

  it('stops adding files once less than 64 characters of budget remain', () => {
    const files = selectProjectContextFiles({...all(() => 'x'), 'AGENTS.md': numbered(960)}, {totalMaxChars: 1000})
    expect(files.map(f => f.name)).toEqual(['AGENTS.md'])
  })
})

describe('unicode safety', () => {
  const emoji = '😀' // one code point, two UTF-16 units

  it('never splits a surrogate pair at the head cut or the tail cut', () => {
    const text = emoji.repeat(30_000)
    for (const max of [20_000, 19_999, 1001, 1000, 999, 201, 200, 77, 64, 33]) {
      const {content} = cutHeadTail(text, 'MEMORY.md', max)
      expect(content.length).toBeLessThanOrEqual(max)
      expect(hasLoneSurrogate(content)).toBe(false)
    }
  })

  it('keeps mixed scripts intact across the whole prompt', () => {
    const prompt = buildSystemPrompt(all(n => `${n} ` + 'é中😀𝄞'.repeat(8000)))
    expect(hasLoneSurrogate(prompt)).toBe(false)
  })

  it('keeps a [MISSING] note or hard cut surrogate-safe too', () => {
    const files = selectProjectContextFiles({'AGENTS.md': emoji.repeat(100)}, {perFileMaxChars: 31, totalMaxChars: 64})
    for (const f of files) expect(hasLoneSurrogate(f.content)).toBe(false)
  })
})

describe('starter workspace', () => {
  it('is injected whole, without frontmatter, in the fixed order', () => {
    const ws = starterWorkspace()
    expect(Object.keys(ws).sort()).toEqual([...WORKSPACE_FILES].sort())
    for (const text of Object.values(ws)) {
      expect(text.startsWith('---')).toBe(false)
      expect(text.trim().length).toBeGreaterThan(0)
      expect(text.length).toBeLessThan(4000)
    }
    const files = selectProjectContextFiles(ws)
    expect(files.map(f => f.name)).toEqual([...WORKSPACE_FILES])
    expect(files.every(f => !f.truncated && !f.missing)).toBe(true)
  })
})
