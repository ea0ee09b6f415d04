import type {StoredWorkspaceFile, WorkspaceStore} from '../workspace-store.js'
import {bound, optionalInt, requiredString, ToolInputError, type ToolArgs} from './args.js'
import type {ToolResult} from './types.js'

/**
 * `memory_search` and `memory_get` over MEMORY.md and memory/**\/*.md, with OpenClaw's argument
 * names and result shape ({results: [{path, startLine, endLine, score, snippet}]}, {path, text}).
 *
 * OpenClaw searches with embeddings when a provider for them is configured; here the search is
 * lexical (the fraction of query words a passage contains, with a bonus for the whole phrase), so
 * it needs no model call and no network. Passages are paragraphs, cut at 20 lines.
 */

const MAX_PASSAGE_LINES = 20
const DEFAULT_MAX_RESULTS = 6
const DEFAULT_MIN_SCORE = 0.2
const SNIPPET_CHARS = 700

export function isMemoryPath(path: string): boolean {
  return path === 'MEMORY.md' || (path.startsWith('memory/') && path.endsWith('.md'))
}

function memoryFiles(files: StoredWorkspaceFile[]): StoredWorkspaceFile[] {
  return files.filter((f) => isMemoryPath(f.path))
}

interface Passage {
  path: string
  startLine: number
  endLine: number
  text: string
}

function passages(file: StoredWorkspaceFile): Passage[] {
  const out: Passage[] = []
  const lines = file.content.split('\n')
  let start = -1
  const flush = (end: number) => {
    if (start >= 0) out.push({path: file.path, startLine: start + 1, endLine: end, text: lines.slice(start, end).join('\n')})
    start = -1
  }
  for (let i = 0; i < lines.length; i++) {
    const blank = lines[i]!.trim() === ''
    if (blank) flush(i)
    else {
      if (start < 0) start = i
      if (i - start + 1 >= MAX_PASSAGE_LINES) flush(i + 1)
    }
  }
  flush(lines.length)
  return out
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}_'-]*/gu) ?? []
}

export async function memorySearchTool(store: WorkspaceStore, args: ToolArgs, maxChars: number): Promise<ToolResult> {
  const query = requiredString(args, ['query'])
  const maxResults = optionalInt(args, ['maxResults', 'max_results'], 1, 50) ?? DEFAULT_MAX_RESULTS
  const rawMin = args.minScore ?? args.min_score
  const minScore = typeof rawMin === 'number' && Number.isFinite(rawMin) ? Math.max(0, Math.min(1, rawMin)) : DEFAULT_MIN_SCORE
  const terms = [...new Set(words(query))]
  if (terms.length === 0) throw new ToolInputError('"query" must contain at least one word.')
  const phrase = query.trim().toLowerCase()
  const results: Array<Passage & {score: number}> = []
  for (const file of memoryFiles(await store.files())) {
    for (const passage of passages(file)) {
      const lower = passage.text.toLowerCase()
      const present = new Set(words(lower))
      const hits = terms.filter((t) => present.has(t) || (t.length >= 4 && lower.includes(t))).length
      if (hits === 0) continue
      const score = Math.min(1, hits / terms.length + (terms.length > 1 && lower.includes(phrase) ? 0.2 : 0))
      if (score >= minScore) results.push({...passage, score: Math.round(score * 1000) / 1000})
    }
  }
  results.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path) || a.startLine - b.startLine)
  const top = results.slice(0, maxResults).map((r) => ({
    path: r.path,
    startLine: r.startLine,
    endLine: r.endLine,
    score: r.score,
    snippet: r.text.length > SNIPPET_CHARS ? `${r.text.slice(0, SNIPPET_CHARS)}…` : r.text,
    citation: `${r.path}#L${r.startLine}-L${r.endLine}`,
  }))
  return {ok: true, output: bound(JSON.stringify({results: top, backend: 'builtin', provider: 'lexical'}, null, 2), maxChars)}
}

export async function memoryGetTool(store: WorkspaceStore, args: ToolArgs, maxChars: number): Promise<ToolResult> {
  const path = requiredString(args, ['path'])
  if (!isMemoryPath(path)) return {ok: false, output: `memory_get reads MEMORY.md and memory/*.md only; use read for ${JSON.stringify(path).slice(0, 200)}.`}
  const from = optionalInt(args, ['from'], 1, Number.MAX_SAFE_INTEGER) ?? 1
  const count = optionalInt(args, ['lines'], 1, Number.MAX_SAFE_INTEGER)
  const content = await store.get(path)
  if (content === undefined) {
    const known = memoryFiles(await store.files()).map((f) => f.path)
    return {ok: false, output: `${path} does not exist. Memory files: ${known.join(', ') || '(none yet)'}.`}
  }
  const lines = content.split('\n')
  const text = lines.slice(from - 1, count === undefined ? undefined : from - 1 + count).join('\n')
  return {ok: true, output: bound(JSON.stringify({path, from, lines: text === '' ? 0 : text.split('\n').length, text}, null, 2), maxChars)}
}
