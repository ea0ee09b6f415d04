import {describe, expect, it} from 'vitest'
import {
  AGENT_WORKSPACE_DIR,
  buildSystemPrompt,
  PER_FILE_MAX_CHARS,
  selectProjectContextFiles,
  TOTAL_MAX_CHARS,
  USER_MAX_CHARS,
  WORKSPACE_FILES,
} from '../../src/agent/prompt.js'
import {trimBootstrapContent} from '../../src/agent/prompt-trim.js'
import {starterWorkspace} from '../../src/agent/workspace-defaults.js'

/**
 * One test per rule of OpenClaw 2026.9.6's Project Context, so a failure names the rule. The
 * byte-for-byte proof against the real package is test/conformance/prompt.test.ts.
 */

const full = (text: (name: string) => string = (n) => `${n} body`) => Object.fromEntries(WORKSPACE_FILES.map((n) => [n, text(n)]))
const numbered = (count: number, label = 'line') => Array.from({length: count}, (_, i) => `${label} ${i + 1}`.padEnd(40, '.')).join('\n')
const injected = (files: Record<string, string>, opts = {}) => selectProjectContextFiles(files, opts)

describe('rule: layout', () => {
  it('opens with "# Project Context" and "Loaded project context:", then one line each for SOUL, MEMORY and USER', () => {
    const lines = buildSystemPrompt(full()).split('\n')
    expect(lines.slice(0, 5)).toEqual([
      '# Project Context',
      'Loaded project context:',
      'SOUL.md: persona/tone. Follow it unless higher-priority instructions override.',
      'MEMORY.md: durable non-profile facts and decisions; use when relevant unless higher-priority instructions override.',
      'USER.md: durable user preferences and profile directives; follow unless higher-priority instructions override.',
    ])
  })

  it('leaves out the SOUL, MEMORY and USER lines for files that are not injected', () => {
    const prompt = buildSystemPrompt({'AGENTS.md': 'a', 'SOUL.md': 's', 'IDENTITY.md': 'i'})
    expect(prompt).toContain('SOUL.md: persona/tone')
    expect(prompt).not.toContain('MEMORY.md:')
    expect(prompt).not.toContain('USER.md:')
  })

  it('headings carry the file path under the workspace the agent sees, or the one given', () => {
    expect(buildSystemPrompt(full())).toContain(`\n## ${AGENT_WORKSPACE_DIR}/AGENTS.md\nAGENTS.md body\n## ${AGENT_WORKSPACE_DIR}/SOUL.md\n`)
    expect(buildSystemPrompt(full(), {workspaceDir: '/home/me/.openclaw/workspace/'})).toContain('\n## /home/me/.openclaw/workspace/USER.md\n')
  })

  it('drops empty lines around headings and collapses runs of 3+ newlines in a file to 2', () => {
    const prompt = buildSystemPrompt({...full(), 'SOUL.md': 'a\n\n\n\n\nb\n\nc'})
    expect(prompt).not.toMatch(/\n\n## |## [^\n]*\n\n/)
    expect(prompt).toContain('\na\n\nb\n\nc\n')
  })

  it('orders files AGENTS, SOUL, IDENTITY, USER, BOOTSTRAP, MEMORY and ignores other paths', () => {
    const prompt = buildSystemPrompt({...full(), 'BOOTSTRAP.md': 'boot', 'TOOLS.md': 'tools', 'memory/2026-07-01.md': 'note', 'skills/x/SKILL.md': 'x'})
    const headings = prompt.split('\n').filter((l) => l.startsWith('## '))
    expect(headings.map((h) => h.slice(h.lastIndexOf('/') + 1))).toEqual(['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'BOOTSTRAP.md', 'MEMORY.md'])
  })

  it('keeps frontmatter as text, as OpenClaw injects it', () => {
    expect(buildSystemPrompt({...full(), 'SOUL.md': '---\nmood: calm\n---\nCalm.'})).toContain('SOUL.md\n---\nmood: calm\n---\nCalm.')
  })
})

describe('rule: limits', () => {
  it('defaults to 20,000 per file and 60,000 in total, and both are configurable', () => {
    expect([PER_FILE_MAX_CHARS, TOTAL_MAX_CHARS]).toEqual([20_000, 60_000])
    const [agents] = injected({...full(), 'AGENTS.md': numbered(1000)}, {perFileMaxChars: 500})
    expect(agents!.content.length).toBeLessThanOrEqual(500)
  })

  it('caps USER.md at 4,000 characters even when the per-file limit is higher', () => {
    const user = injected({...full(), 'USER.md': numbered(500)}, {perFileMaxChars: 50_000, totalMaxChars: 200_000}).find((f) => f.name === 'USER.md')!
    expect(USER_MAX_CHARS).toBe(4000)
    expect(user.truncated).toBe(true)
    expect(user.content.length).toBeLessThanOrEqual(4000)
  })

  it('trims trailing whitespace before measuring, and skips an empty or whitespace-only file', () => {
    const files = injected({...full(), 'AGENTS.md': `${'x'.repeat(100)}   \n\n\t`, 'SOUL.md': ' \n\t\n', 'IDENTITY.md': ''}, {perFileMaxChars: 100})
    expect(files[0]).toMatchObject({name: 'AGENTS.md', content: 'x'.repeat(100), truncated: false})
    expect(files.map((f) => f.name)).not.toContain('SOUL.md')
    expect(files.map((f) => f.name)).not.toContain('IDENTITY.md')
  })

  it('stops loading when fewer than 64 characters of the total budget remain', () => {
    const names = injected({...full(), 'AGENTS.md': 'a'.repeat(940)}, {totalMaxChars: 1000}).map((f) => f.name)
    expect(names).toEqual(['AGENTS.md'])
    expect(injected({...full(), 'AGENTS.md': 'a'.repeat(936)}, {totalMaxChars: 1000}).map((f) => f.name)).toContain('SOUL.md')
  })

  it('the head/tail split floors both 75 % and 25 % of the room', () => {
    const text = numbered(100, 'soul')
    const cut = trimBootstrapContent(text, 'SOUL.md', 1000)
    const m = /kept (\d+)\+(\d+) chars of (\d+)/.exec(cut.content)!
    const [head, tail] = [Number(m[1]), Number(m[2])]
    expect(cut.content.startsWith(text.slice(0, head))).toBe(true)
    expect(cut.content.endsWith(text.slice(-tail))).toBe(true)
    // The room is what the marker and its two line breaks leave; both shares are floored.
    const room = 1000 - (cut.content.length - head - tail - 2) - 2
    expect(head).toBe(Math.floor(room * 0.75))
    expect(tail).toBe(Math.floor(room * 0.25))
    expect(cut.content.length).toBeLessThanOrEqual(1000)
    expect(cut.content).toContain('[...truncated, read SOUL.md for full content...]')
  })

  it('never splits a surrogate pair at a cut', () => {
    const files = injected(full((n) => `${n} ${'😀𝄞'.repeat(8000)}`))
    for (const f of files) expect(f.content).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/)
  })
})

describe('rule: AGENTS.md is cut with a policy digest', () => {
  it('keeps a 45 % head, a "Policy digest from AGENTS.md" of its rule lines and a 15 % tail', () => {
    const text = Array.from({length: 200}, (_, i) => (i % 5 === 0 ? `- You must follow rule ${i}.` : `Plain prose sentence number ${i} here.`)).join('\n')
    const cut = trimBootstrapContent(text, 'AGENTS.md', 2000)
    expect(cut.content.startsWith(text.slice(0, 900))).toBe(true)
    expect(cut.content).toContain('[Policy digest from AGENTS.md]\n')
    expect(cut.content).toContain('- You must follow rule 195.')
    expect(cut.content).toMatch(/…\(truncated AGENTS\.md: kept \d+\+policy \d+\+\d+ chars of \d+\)…/)
    expect(cut.content.length).toBeLessThanOrEqual(2000)
  })
})

describe('rule: missing files', () => {
  it('skips MEMORY.md and USER.md when absent', () => {
    expect(injected({'AGENTS.md': 'a', 'SOUL.md': 's', 'IDENTITY.md': 'i'}).map((f) => f.name)).toEqual(['AGENTS.md', 'SOUL.md', 'IDENTITY.md'])
  })

  it('gives any other absent file a "[MISSING] Expected at: <path>" line', () => {
    const prompt = buildSystemPrompt({'AGENTS.md': 'a'}, {workspaceDir: '/ws'})
    expect(prompt).toContain('## /ws/SOUL.md\n[MISSING] Expected at: /ws/SOUL.md\n## /ws/IDENTITY.md\n[MISSING] Expected at: /ws/IDENTITY.md')
  })
})

describe('rule: BOOTSTRAP.md', () => {
  it('is injected while it exists and is gone once deleted (the ritual is over)', () => {
    expect(buildSystemPrompt({...full(), 'BOOTSTRAP.md': 'Ask who you are.'})).toContain('BOOTSTRAP.md\nAsk who you are.')
    expect(buildSystemPrompt(full())).not.toContain('BOOTSTRAP')
  })

  it('is reported missing when setup is said to be unfinished and the file is absent', () => {
    expect(buildSystemPrompt(full(), {bootstrapCompleted: false})).toContain(`[MISSING] Expected at: ${AGENT_WORKSPACE_DIR}/BOOTSTRAP.md`)
  })
})

describe('rule: session kinds', () => {
  const files = {...full(), 'BOOTSTRAP.md': 'boot'}
  const names = (sessionKind: 'main' | 'subagent' | 'cron' | 'group' | 'channel') => injected(files, {sessionKind}).map((f) => f.name)
  it('subagent sessions get AGENTS.md only', () => expect(names('subagent')).toEqual(['AGENTS.md']))
  it('cron sessions get AGENTS, SOUL, IDENTITY and USER', () => expect(names('cron')).toEqual(['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md']))
  it('group and channel chats drop MEMORY.md', () => {
    expect(names('group')).toEqual(['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'BOOTSTRAP.md'])
    expect(names('channel')).toEqual(names('group'))
    expect(names('main')).toContain('MEMORY.md')
  })
})

describe('rule: project-scoped memory entries and the heartbeat prompt', () => {
  it('drops MEMORY.md entries scoped to a project and the quoted default heartbeat prompt', () => {
    const prompt = buildSystemPrompt({
      ...full(),
      'MEMORY.md': '- keep\n- scoped <!-- project: x -->\n- also keep',
      'AGENTS.md': 'a\nDefault heartbeat prompt:\n`Read HEARTBEAT.md if it exists. Reply HEARTBEAT_OK.`\nb',
    })
    expect(prompt).toContain('MEMORY.md\n- keep\n- also keep')
    expect(prompt).toContain('AGENTS.md\na\n\nb')
  })
})

describe('rule: skills are listed the way OpenClaw lists them', () => {
  const files = {
    ...full(),
    'skills/weather/SKILL.md': '---\nname: weather\ndescription: "Look up <the> weather."\n---\n# Weather',
    'skills/alpha/SKILL.md': '---\ndescription: First by name.\n---\n',
    'skills/nodesc/SKILL.md': '---\nname: nodesc\n---\n',
  }
  it('lists them sorted by name, with escaped descriptions and the path to read, when the agent can read files', () => {
    const prompt = buildSystemPrompt(files, {readToolName: 'read'})
    expect(prompt.startsWith('## Skills\nScan <available_skills>. Clear match: read exact <location> with `read`; obey.\n')).toBe(true)
    expect(prompt).toContain(
      '<available_skills>\n  <skill>\n    <name>alpha</name>\n    <description>First by name.</description>\n    <location>/workspace/skills/alpha/SKILL.md</location>\n  </skill>\n  <skill>\n    <name>weather</name>\n    <description>Look up &lt;the&gt; weather.</description>',
    )
    expect(prompt).not.toContain('nodesc')
    expect(prompt.indexOf('## Skills')).toBeLessThan(prompt.indexOf('# Project Context'))
  })

  it('leaves them out when the agent has no tool to read them', () => {
    expect(buildSystemPrompt(files)).not.toContain('Skills')
  })
})

describe('the starter workspace', () => {
  it('injects every file uncut, well inside the budget', () => {
    const files = injected(starterWorkspace())
    expect(files.map((f) => f.name)).toEqual([...WORKSPACE_FILES])
    expect(files.every((f) => !f.truncated && !f.missing)).toBe(true)
  })

  it('accepts a Map as well as a record', () => {
    expect(buildSystemPrompt(new Map(Object.entries(full())))).toBe(buildSystemPrompt(full()))
  })
})
