/**
 * Builds the agent's system prompt from its markdown workspace the way OpenClaw injects its
 * "bootstrap" files (DESIGN §5), so a workspace behaves the same here and in a real OpenClaw:
 *
 *   # Project Context
 *
 *   The following project context files have been loaded:
 *   <one persona line when SOUL.md is injected>
 *
 *   ## AGENTS.md
 *
 *   <text>
 *   ...
 *
 * Files go in the order AGENTS, SOUL, IDENTITY, USER, MEMORY. Each is cut at 20,000 characters and
 * all of them together at 60,000; a cut keeps 75 % of the room from the head and 25 % from the
 * tail with a marker between that names the file. As in OpenClaw, "characters" are UTF-16 code
 * units (what the model's tokenizer never sees split: we never cut a surrogate pair in half),
 * trailing whitespace is dropped before measuring, an empty file is left out, a missing required
 * file gets a one-line `[MISSING]` note, and MEMORY.md is optional (left out when absent).
 *
 * Pure: the caller reads the files and passes name → text.
 */

export const WORKSPACE_FILES = ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'MEMORY.md'] as const
export type WorkspaceFileName = (typeof WORKSPACE_FILES)[number]

/** Files OpenClaw only injects when they exist; the others get a `[MISSING]` note. */
const OPTIONAL_FILES: ReadonlySet<string> = new Set<WorkspaceFileName>(['MEMORY.md'])

export const PER_FILE_MAX_CHARS = 20_000
export const TOTAL_MAX_CHARS = 60_000
const HEAD_SHARE = 0.75
/** OpenClaw stops adding files once less than this much of the total budget is left. */
const MIN_FILE_BUDGET_CHARS = 64
/** Below this much room for text, the full marker would crowd out the text itself. */
const MIN_TEXT_CHARS_FOR_FULL_MARKER = 16

export interface PromptLimits {
  perFileMaxChars: number
  totalMaxChars: number
}

export type WorkspaceTexts = ReadonlyMap<string, string> | Readonly<Record<string, string | undefined>>

export interface InjectedFile {
  name: WorkspaceFileName
  /** What goes under the file's heading (already cut to fit). */
  content: string
  /** Length of the file's text after trailing whitespace is dropped; 0 for a missing file. */
  originalLength: number
  truncated: boolean
  missing: boolean
}

/** The whole system prompt, or '' when no file has anything to inject. */
export function buildSystemPrompt(files: WorkspaceTexts, limits: Partial<PromptLimits> = {}): string {
  return renderProjectContext(selectProjectContextFiles(files, limits))
}

/** Which files are injected and with what text; exposed for diagnostics (sizes, truncation). */
export function selectProjectContextFiles(files: WorkspaceTexts, limits: Partial<PromptLimits> = {}): InjectedFile[] {
  const perFileMax = positiveInt(limits.perFileMaxChars, PER_FILE_MAX_CHARS)
  const totalMax = positiveInt(limits.totalMaxChars, TOTAL_MAX_CHARS)
  const lookup = toLookup(files)
  let remaining = totalMax
  const injected: InjectedFile[] = []

  for (const name of WORKSPACE_FILES) {
    if (remaining <= 0) break
    const raw = lookup(name)
    if (raw === undefined) {
      if (OPTIONAL_FILES.has(name)) continue
      const content = clampToBudget(`[MISSING] Expected at: ${name}`, remaining)
      remaining -= content.length
      injected.push({name, content, originalLength: 0, truncated: false, missing: true})
      continue
    }
    if (remaining < MIN_FILE_BUDGET_CHARS) break
    const text = raw.trimEnd()
    if (text.length === 0) continue
    const cut = cutHeadTail(text, name, Math.min(perFileMax, remaining))
    remaining -= cut.content.length
    injected.push({name, content: cut.content, originalLength: text.length, truncated: cut.truncated, missing: false})
  }
  return injected
}

export function renderProjectContext(files: readonly InjectedFile[]): string {
  if (files.length === 0) return ''
  const lines = ['# Project Context', '', 'The following project context files have been loaded:']
  if (files.some(f => f.name === 'SOUL.md' && !f.missing)) {
    lines.push(
      'SOUL.md sets your persona and tone: speak as it describes rather than in a stiff, generic voice, unless higher-priority instructions say otherwise.',
    )
  }
  lines.push('')
  for (const file of files) lines.push(`## ${file.name}`, '', file.content, '')
  return lines.join('\n').trimEnd()
}

/**
 * Cuts `text` to at most `maxChars`, keeping 75 % of the room left after the marker from the head
 * and the rest from the tail. The marker says which file was cut and how much was kept, so the
 * model knows the middle is missing rather than guessing.
 */
export function cutHeadTail(text: string, fileName: string, maxChars: number): {content: string; truncated: boolean} {
  if (text.length <= maxChars) return {content: text, truncated: false}
  const total = text.length
  const fullMarker = (head: number, tail: number) =>
    `\n[...truncated, read ${fileName} for full content...]\n…(truncated ${fileName}: kept ${head}+${tail} chars of ${total})…\n`
  const compactMarker = (head: number, tail: number) => `[…truncated ${head}+${tail}/${total}]`
  const marker = maxChars - fullMarker(0, 0).length - 2 >= MIN_TEXT_CHARS_FOR_FULL_MARKER ? fullMarker : compactMarker
  const rendered = (head: number, tail: number) => {
    const parts = [text.slice(0, head), marker(head, tail), tail > 0 ? text.slice(total - tail) : ''].filter(p => p.length > 0)
    return parts.join('\n')
  }
  const lengthOf = (head: number, tail: number) =>
    head + tail + marker(head, tail).length + (head > 0 ? 1 : 0) + (tail > 0 ? 1 : 0)

  // The marker's length depends on the counts it prints, so settle them in a few rounds.
  let head = 0
  let tail = 0
  for (let round = 0; round < 4; round++) {
    const room = Math.max(0, maxChars - marker(head, tail).length - 2)
    const nextHead = Math.floor(room * HEAD_SHARE)
    const nextTail = room - nextHead
    if (nextHead === head && nextTail === tail) break
    head = nextHead
    tail = nextTail
  }
  while (lengthOf(head, tail) > maxChars && (tail > 0 || head > 0)) {
    const over = lengthOf(head, tail) - maxChars
    if (tail > 0) tail = Math.max(0, tail - over)
    else head = Math.max(0, head - over)
  }
  // Never leave half of a surrogate pair at either cut.
  if (head > 0 && isHighSurrogate(text.charCodeAt(head - 1))) head--
  if (tail > 0 && isLowSurrogate(text.charCodeAt(total - tail))) tail--

  const content = rendered(head, tail)
  return {content: content.length > maxChars ? safePrefix(content, maxChars) : content, truncated: true}
}

/** A hard cut for text that must fit a budget (OpenClaw ends it with an ellipsis). */
function clampToBudget(text: string, budget: number): string {
  if (text.length <= budget) return text
  if (budget <= 3) return safePrefix(text, budget)
  return `${safePrefix(text, budget - 1)}…`
}

function safePrefix(text: string, length: number): string {
  let end = Math.max(0, Math.min(length, text.length))
  if (end > 0 && end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--
  return text.slice(0, end)
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}

function positiveInt(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback
}

function toLookup(files: WorkspaceTexts): (name: string) => string | undefined {
  if (files instanceof Map) return name => files.get(name)
  const record = files as Readonly<Record<string, string | undefined>>
  return name => (Object.hasOwn(record, name) ? record[name] : undefined)
}
