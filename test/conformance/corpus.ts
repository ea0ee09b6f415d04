import {starterWorkspace} from '../../src/agent/workspace-defaults.js'
import type {PromptOptions} from '../../src/agent/prompt.js'

/**
 * Workspaces that exercise every rule of OpenClaw's Project Context: each is exported by clawd,
 * loaded by the real OpenClaw and compared byte for byte with clawd's prompt builder.
 */

export interface CorpusCase {
  name: string
  files: Record<string, string>
  opts?: PromptOptions
}

/** Numbered lines, so a cut in the wrong place shows in a diff. */
function lines(count: number, label: string, width = 60): string {
  const out: string[] = []
  for (let i = 1; i <= count; i++) out.push(`${label} line ${i} `.padEnd(width, '.'))
  return out.join('\n') + '\n'
}

/** An AGENTS.md with headings, rules, prose, code fences and long lines: what the digest picks from. */
function policyAgents(repeat: number): string {
  const block = [
    '# Repository rules',
    '',
    'This paragraph explains why we care about the layout of the workspace.',
    '- You must run the tests before every commit.',
    'Some plain prose that is not a rule at all, just context for the reader.',
    'Never push to main without a review.',
    '```sh',
    'npm test -- must not be picked from a fence',
    '```',
    '1) Read scoped AGENTS.md files before subtree edits.',
    `A very long credential line ${'x'.repeat(300)}`,
    '禁止 提交 密钥 😀 to the repository.',
    '',
  ].join('\n')
  return Array.from({length: repeat}, (_, i) => block.replace('Repository rules', `Repository rules ${i}`)).join('\n')
}

const base = (): Record<string, string> => ({...starterWorkspace()})

export const CORPUS: CorpusCase[] = [
  {name: 'the starter workspace', files: base()},
  {
    name: 'oversized SOUL.md, USER.md and AGENTS.md',
    files: {...base(), 'SOUL.md': lines(600, 'soul'), 'USER.md': lines(200, 'user'), 'AGENTS.md': policyAgents(120)},
  },
  {name: 'an oversized AGENTS.md without rule lines', files: {...base(), 'AGENTS.md': 'plain prose without any rule words. '.repeat(1200)}},
  {
    name: 'runs of blank lines and trailing whitespace',
    files: {...base(), 'SOUL.md': '# Soul\n\n\n\n\nCalm.   \n\n\n\nWarm.\t \n\n\n  \n', 'AGENTS.md': 'a\n\n\n\nb\n\n\n', 'MEMORY.md': '- fact\n\n\n\n- another   \n \n'},
  },
  {name: 'an empty file and a whitespace-only file', files: {...base(), 'IDENTITY.md': '', 'SOUL.md': ' \n\t\n'}},
  {name: 'missing MEMORY.md and USER.md', files: {'AGENTS.md': 'agents', 'SOUL.md': 'soul', 'IDENTITY.md': 'identity'}},
  {name: 'missing SOUL.md and IDENTITY.md', files: {'AGENTS.md': 'agents', 'USER.md': 'user'}},
  {name: 'only AGENTS.md', files: {'AGENTS.md': '# Rules\n- be kind\n'}},
  {
    name: 'frontmatter',
    files: {...base(), 'SOUL.md': '---\ntitle: soul\ntags: [a, b]\n---\n\n# Soul\n\nCalm.\n', 'USER.md': '---\nname: Ada\n---\nPrefers short answers.\n'},
  },
  {
    name: 'skills and dated and undated memory notes',
    files: {
      ...base(),
      'skills/weather/SKILL.md': '---\nname: weather\ndescription: Look up the weather for a city.\n---\n\n# Weather\n\nUse web_fetch.\n',
      'skills/weather/scripts/fetch.sh': '#!/bin/sh\ncurl -s "https://wttr.in/$1"\n',
      'memory/2026-07-01.md': '# 2026-07-01\n\n- went hiking\n',
      'memory/2026-07-01-trip-plans.md': '- Lisbon in May\n',
      'memory/projects/clawd.md': '# clawd\n\nNotes about clawd.\n',
      'memory/topic.md': '- an undated note\n',
      'dreams.md': '# Dreams\n',
    },
  },
  {name: 'TOOLS.md and HEARTBEAT.md are kept but not injected', files: {...base(), 'TOOLS.md': '# Tools\n\nssh pi\n', 'HEARTBEAT.md': '# Heartbeat\n'}},
  {
    name: 'the total budget running out mid-file',
    files: {...base(), 'AGENTS.md': lines(40, 'agents'), 'SOUL.md': lines(80, 'soul'), 'IDENTITY.md': lines(80, 'identity'), 'USER.md': lines(30, 'user'), 'MEMORY.md': lines(50, 'memory')},
    opts: {perFileMaxChars: 3000, totalMaxChars: 5000},
  },
  {name: 'a budget too small for the full marker', files: {...base(), 'AGENTS.md': lines(10, 'agents'), 'SOUL.md': lines(10, 'soul')}, opts: {perFileMaxChars: 40, totalMaxChars: 130}},
  {name: 'a total budget spent before the missing files', files: {'AGENTS.md': lines(10, 'agents')}, opts: {totalMaxChars: 620}},
  {name: 'USER.md above 4,000 with a larger per-file limit', files: {...base(), 'USER.md': lines(100, 'user')}, opts: {perFileMaxChars: 50_000, totalMaxChars: 200_000}},
  {name: 'USER.md under a per-file limit below 4,000', files: {...base(), 'USER.md': lines(100, 'user')}, opts: {perFileMaxChars: 1000}},
  {name: 'AGENTS.md digest under a small limit', files: {...base(), 'AGENTS.md': policyAgents(6)}, opts: {perFileMaxChars: 700}},
  {name: 'surrogate pairs at the cuts', files: {...base(), 'SOUL.md': '😀é中𝄞'.repeat(3000), 'AGENTS.md': '😀 must 𝄞\n'.repeat(900)}, opts: {perFileMaxChars: 1001}},
  {
    name: 'project-scoped memory entries and the quoted heartbeat prompt',
    files: {
      ...base(),
      'MEMORY.md': '# Memory\n- global fact\n- scoped fact <!-- project: clawd -->\n## Section <!-- project: other -->\nsection body\n- last fact\n',
      'AGENTS.md': 'Rules.\nDefault heartbeat prompt:\n`Read HEARTBEAT.md if it exists. If nothing needs attention, reply HEARTBEAT_OK.`\nAfter.\n',
    },
  },
  {name: 'a pending BOOTSTRAP.md', files: {...base(), 'BOOTSTRAP.md': '# Bootstrap\n\nAsk your owner who you are, then delete this file.\n'}},
  ...(['subagent', 'cron', 'group', 'channel'] as const).map((kind) => ({
    name: `a ${kind} session`,
    files: {...base(), 'BOOTSTRAP.md': '# Bootstrap\n'},
    opts: {sessionKind: kind},
  })),
]
