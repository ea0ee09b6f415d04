import {clampToBudget, trimBootstrapContent} from './prompt-trim.js'
import {listWorkspaceSkills, renderSkillsSection} from './prompt-skills.js'

/**
 * Builds the agent's system prompt from its markdown workspace exactly as OpenClaw 2026.9.6
 * injects its "bootstrap" files (DESIGN §5). The judge is the real package: test/conformance/
 * runs its `resolveBootstrapContextForRun` and `buildProjectContextSection` on the same files and
 * compares the section byte for byte. What it does, in its order:
 *
 * 1. Load AGENTS, SOUL, IDENTITY, USER, BOOTSTRAP, MEMORY (exact names, workspace root only).
 *    MEMORY.md and USER.md are left out when absent; any other absent file becomes
 *    `[MISSING] Expected at: <path>`. BOOTSTRAP.md is dropped once setup is complete (here: once
 *    the agent or its owner deleted it).
 * 2. Filter by session kind: subagents see AGENTS.md only; cron runs AGENTS, SOUL, IDENTITY, USER;
 *    group and channel chats everything but MEMORY.md (it is private to the owner).
 * 3. Cut each file to `bootstrapMaxChars` (USER.md to at most 4,000) and all of them to
 *    `bootstrapTotalMaxChars`, in load order; loading stops below 64 characters of budget left.
 * 4. Drop MEMORY.md/USER.md entries scoped to a project (`<!-- project: x -->`): clawd has none.
 * 5. Render: `# Project Context`, `Loaded project context:` with one line each for SOUL, MEMORY and
 *    USER when present, then `## <path>` and the text per file; runs of 3+ newlines become 2 and
 *    every empty line is dropped (OpenClaw joins its prompt lines without the empty ones).
 *
 * Pure: the caller reads the workspace and passes path → text.
 */

/** The files OpenClaw loads into Project Context, in its load order. */
export const BOOTSTRAP_FILES = ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'BOOTSTRAP.md', 'MEMORY.md'] as const
export type BootstrapFileName = (typeof BOOTSTRAP_FILES)[number]

/** The files a new clawd instance starts with (BOOTSTRAP.md is OpenClaw's, never seeded here). */
export const WORKSPACE_FILES = ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'MEMORY.md'] as const
export type WorkspaceFileName = (typeof WORKSPACE_FILES)[number]

/** OpenClaw's `bootstrapMaxChars` and `bootstrapTotalMaxChars` defaults. */
export const PER_FILE_MAX_CHARS = 20_000
export const TOTAL_MAX_CHARS = 60_000
/** USER.md never gets more than this, whatever the per-file limit. */
export const USER_MAX_CHARS = 4_000
/** OpenClaw stops adding files once less than this much of the total budget is left. */
const MIN_FILE_BUDGET_CHARS = 64

/** Where the agent's tools see the workspace; the headings name files under it. */
export const AGENT_WORKSPACE_DIR = '/workspace'

/** Files OpenClaw skips silently when absent (no `[MISSING]` line). */
const SKIPPED_WHEN_ABSENT: ReadonlySet<string> = new Set(['MEMORY.md', 'USER.md'])
const CRON_FILES: ReadonlySet<string> = new Set(['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md'])
/** Which files each session kind gets (see step 2 above). */
const ALLOWED_FILES: Readonly<Record<SessionKind, (name: string) => boolean>> = {
  main: () => true,
  subagent: (name) => name === 'AGENTS.md',
  cron: (name) => CRON_FILES.has(name),
  group: (name) => name !== 'MEMORY.md',
  channel: (name) => name !== 'MEMORY.md',
}
/** The render order (OpenClaw's CONTEXT_FILE_ORDER); the same as load order for our files. */
const RENDER_ORDER = ['agents.md', 'soul.md', 'identity.md', 'user.md', 'tools.md', 'bootstrap.md', 'memory.md']
/** OpenClaw removes its own default heartbeat prompt if a file quotes it. */
const DEFAULT_HEARTBEAT_PROMPT_BLOCK =
  /Default heartbeat prompt:\r?\n`(?:Read HEARTBEAT\.md if it exists|Follow the heartbeat monitor scratch context when provided\.)[^`\r\n]*HEARTBEAT_OK\.`/gu
const PROJECT_ANNOTATION = /<!--\s*project\s*:/iu

/**
 * main: the owner's direct chat. subagent and cron as OpenClaw's session keys mark them; group and
 * channel: chats with other people in them.
 */
export type SessionKind = 'main' | 'subagent' | 'cron' | 'group' | 'channel'

export interface PromptOptions {
  /** OpenClaw's `bootstrapMaxChars` and `bootstrapTotalMaxChars`. */
  perFileMaxChars?: number
  totalMaxChars?: number
  /** The workspace path in headings and `[MISSING]` lines (default: where the agent's tools see it). */
  workspaceDir?: string
  sessionKind?: SessionKind
  /** Whether the first-run ritual is over (default: BOOTSTRAP.md is absent). */
  bootstrapCompleted?: boolean
  /**
   * The agent's file-reading tool. Skills (`skills/<name>/SKILL.md`) are listed only when the
   * agent can read them, as OpenClaw does.
   */
  readToolName?: string
}

export type WorkspaceTexts = ReadonlyMap<string, string> | Readonly<Record<string, string | undefined>>

export interface ContextFile {
  name: BootstrapFileName
  /** The path shown in the heading: workspaceDir + '/' + name. */
  path: string
  /** What goes under the heading (already cut to fit). */
  content: string
  /** Length of the file's text after trailing whitespace is dropped; 0 for a missing file. */
  originalLength: number
  truncated: boolean
  missing: boolean
}

/** The whole system prompt, or '' when nothing is injected. */
export function buildSystemPrompt(files: WorkspaceTexts, opts: PromptOptions = {}): string {
  const lookup = toLookup(files)
  const sections = [
    opts.readToolName ? renderSkillsSection(listWorkspaceSkills(pathsOf(files), lookup, workspaceDirOf(opts)), opts.readToolName) : '',
    renderProjectContext(selectProjectContextFiles(files, opts)),
  ]
  return sections.filter((s) => s.length > 0).join('\n')
}

/** Which files are injected and with what text; exposed for diagnostics (sizes, truncation). */
export function selectProjectContextFiles(files: WorkspaceTexts, opts: PromptOptions = {}): ContextFile[] {
  const lookup = toLookup(files)
  const perFileMax = positiveInt(opts.perFileMaxChars, PER_FILE_MAX_CHARS)
  let remaining = Math.max(1, positiveInt(opts.totalMaxChars, TOTAL_MAX_CHARS))
  const dir = workspaceDirOf(opts)
  const completed = opts.bootstrapCompleted ?? lookup('BOOTSTRAP.md') === undefined
  const allowed = ALLOWED_FILES[opts.sessionKind ?? 'main']

  const injected: ContextFile[] = []
  for (const name of BOOTSTRAP_FILES) {
    if (!allowed(name) || (name === 'BOOTSTRAP.md' && completed)) continue
    const raw = lookup(name)
    if (raw === undefined && SKIPPED_WHEN_ABSENT.has(name)) continue
    if (remaining <= 0) break
    const path = `${dir}/${name}`
    if (raw === undefined) {
      const content = clampToBudget(`[MISSING] Expected at: ${path}`, remaining)
      if (!content) break
      remaining = Math.max(0, remaining - content.length)
      injected.push({name, path, content, originalLength: 0, truncated: false, missing: true})
      continue
    }
    if (remaining < MIN_FILE_BUDGET_CHARS) break
    const budget = name === 'USER.md' ? Math.min(perFileMax, USER_MAX_CHARS) : perFileMax
    const trimmed = trimBootstrapContent(raw, name, Math.max(1, Math.min(budget, remaining)))
    const content = clampToBudget(trimmed.content, remaining)
    if (!content) continue
    remaining = Math.max(0, remaining - content.length)
    injected.push({
      name,
      path,
      content: withoutProjectScopedEntries(name, content),
      originalLength: trimmed.originalLength,
      truncated: trimmed.truncated || content.length < trimmed.content.length,
      missing: false,
    })
  }
  return injected
}

export function renderProjectContext(files: readonly ContextFile[]): string {
  if (files.length === 0) return ''
  const ordered = [...files].sort((a, b) => renderRank(a.name) - renderRank(b.name))
  const has = (name: string) => ordered.some((f) => f.name === name)
  const lines = ['# Project Context', 'Loaded project context:']
  if (has('SOUL.md')) lines.push('SOUL.md: persona/tone. Follow it unless higher-priority instructions override.')
  if (has('MEMORY.md')) lines.push('MEMORY.md: durable non-profile facts and decisions; use when relevant unless higher-priority instructions override.')
  if (has('USER.md')) lines.push('USER.md: durable user preferences and profile directives; follow unless higher-priority instructions override.')
  for (const file of ordered) lines.push(`## ${file.path}`, sanitizeForPrompt(file.content))
  return lines.filter((line) => line.length > 0).join('\n')
}

function renderRank(name: string): number {
  const rank = RENDER_ORDER.indexOf(name.toLowerCase())
  return rank < 0 ? Number.MAX_SAFE_INTEGER : rank
}

function sanitizeForPrompt(content: string): string {
  return content.replaceAll(DEFAULT_HEARTBEAT_PROMPT_BLOCK, '').replace(/\n{3,}/g, '\n\n')
}

/**
 * OpenClaw keeps a MEMORY.md or USER.md entry (a `- ` line or a heading and what follows) scoped
 * with `<!-- project: key -->` only while that project is active; clawd has no active project.
 */
function withoutProjectScopedEntries(name: string, content: string): string {
  if ((name !== 'MEMORY.md' && name !== 'USER.md') || !PROJECT_ANNOTATION.test(content)) return content
  const lines = content.split('\n')
  const entries: string[][] = [[lines[0] ?? '']]
  for (const line of lines.slice(1)) {
    if (line.startsWith('- ') || /^#{1,6}(?:\s|$)/u.test(line)) entries.push([line])
    else entries[entries.length - 1]!.push(line)
  }
  return entries
    .map((e) => e.join('\n'))
    .filter((text) => !PROJECT_ANNOTATION.test(text))
    .join('\n')
}

function workspaceDirOf(opts: PromptOptions): string {
  // Without its trailing slash, so `${dir}/${name}` is what path.join gives ('/' → '/AGENTS.md').
  return (opts.workspaceDir ?? AGENT_WORKSPACE_DIR).replace(/\/+$/, '')
}

function positiveInt(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback
}

function pathsOf(files: WorkspaceTexts): string[] {
  return files instanceof Map ? [...files.keys()] : Object.keys(files)
}

export function toLookup(files: WorkspaceTexts): (path: string) => string | undefined {
  if (files instanceof Map) return (path) => files.get(path)
  const record = files as Readonly<Record<string, string | undefined>>
  return (path) => (Object.hasOwn(record, path) ? record[path] : undefined)
}
