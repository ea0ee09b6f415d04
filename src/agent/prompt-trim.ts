/**
 * How OpenClaw 2026.9.6 cuts one bootstrap file to its budget (`trimBootstrapContent` and
 * `clampToBudget` in its `agents/embedded-agent-helpers/bootstrap`). Ported line for line: the
 * conformance suite (test/conformance/) compares the result with the real package byte for byte,
 * so "tidying" any constant or loop here is a conformance bug.
 *
 * "Characters" are UTF-16 code units, as in OpenClaw; cuts never split a surrogate pair.
 */

const HEAD_RATIO = 0.75
const TAIL_RATIO = 0.25
/** Below this much room for text, the full marker would crowd out the text itself. */
const MIN_TRIMMED_CONTENT_CHARS = 16
const AGENTS_FILE = 'AGENTS.md'
const AGENTS_DIGEST_RATIO = 0.35
const AGENTS_HEAD_RATIO = 0.45
const AGENTS_TAIL_RATIO = 0.15
const DIGEST_MAX_LINE_CHARS = 240
const DIGEST_CANDIDATE =
  /\b(?:AGENTS\.md|scoped|required|must|never|do not|before subtree|read scoped|owner|security|secret|credential|test|validation|command|commit|push|github|pr)\b|(?:🔴|禁止|嚴禁|不得|絕不|絕對不|切勿|必須|務必|一律|紅線)/iu
const DIGEST_HIGH_PRIORITY =
  /\b(?:AGENTS\.md|scoped|required|must|never|do not|before subtree|read scoped|security|secret|credential)\b|(?:🔴|禁止|嚴禁|不得|絕不|絕對不|切勿)/iu

export interface TrimmedFile {
  content: string
  truncated: boolean
  maxChars: number
  /** Length after trailing whitespace is dropped. */
  originalLength: number
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}

/** `text.slice(start, end)` that never returns half of a surrogate pair at either edge. */
export function sliceUtf16Safe(text: string, start: number, end?: number): string {
  const len = text.length
  let from = start < 0 ? Math.max(len + start, 0) : Math.min(start, len)
  let to = end === undefined ? len : end < 0 ? Math.max(len + end, 0) : Math.min(end, len)
  if (to <= from) return ''
  if (from > 0 && from < len && isLowSurrogate(text.charCodeAt(from)) && isHighSurrogate(text.charCodeAt(from - 1))) from += 1
  if (to > 0 && to < len && isHighSurrogate(text.charCodeAt(to - 1)) && isLowSurrogate(text.charCodeAt(to))) to -= 1
  return text.slice(from, to)
}

export function truncateUtf16Safe(text: string, maxLen: number): string {
  const limit = Math.max(0, Math.floor(maxLen))
  return text.length <= limit ? text : sliceUtf16Safe(text, 0, limit)
}

/** A hard cut for text that must fit what is left of the total budget, ending in an ellipsis. */
export function clampToBudget(content: string, budget: number): string {
  if (budget <= 0) return ''
  if (content.length <= budget) return content
  if (budget <= 3) return truncateUtf16Safe(content, budget)
  return `${truncateUtf16Safe(content, budget - 1)}…`
}

/**
 * Cuts a file to `maxChars` after dropping trailing whitespace: 75 % head, 25 % tail and a marker
 * naming the file between them; AGENTS.md instead keeps 45 % head, a policy digest of its
 * rule-like lines and a 15 % tail, so its rules survive the cut.
 */
export function trimBootstrapContent(content: string, fileName: string, maxChars: number): TrimmedFile {
  const trimmed = content.trimEnd()
  if (trimmed.length <= maxChars) return {content: trimmed, truncated: false, maxChars, originalLength: trimmed.length}
  if (fileName.toLowerCase() === AGENTS_FILE.toLowerCase()) return trimAgentsContent(trimmed, maxChars)

  const fullMarker = (head: number, tail: number) =>
    ['', `[...truncated, read ${fileName} for full content...]`, `…(truncated ${fileName}: kept ${head}+${tail} chars of ${trimmed.length})…`, ''].join('\n')
  const compactMarker = (head: number, tail: number) => `[…truncated ${head}+${tail}/${trimmed.length}]`
  const separators = (head: number, tail: number, marker: string) => (marker.includes('\n') ? Number(head > 0) + Number(tail > 0) : 0)
  const markerFor = maxChars - fullMarker(0, 0).length - separators(1, 1, fullMarker(0, 0)) >= MIN_TRIMMED_CONTENT_CHARS ? fullMarker : compactMarker

  let head = 0
  let tail = 0
  let marker = markerFor(head, tail)
  // The marker prints the counts it sits between, so its length settles over a few rounds.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const budget = Math.max(0, maxChars - marker.length - separators(head, tail, marker))
    const nextHead = Math.floor(budget * HEAD_RATIO)
    const nextTail = Math.floor(budget * TAIL_RATIO)
    const nextMarker = markerFor(nextHead, nextTail)
    if (nextHead === head && nextTail === tail && nextMarker.length === marker.length) break
    head = nextHead
    tail = nextTail
    marker = nextMarker
  }
  let length = head + tail + marker.length + separators(head, tail, marker)
  while (length > maxChars && (tail > 0 || head > 0)) {
    const overflow = length - maxChars
    if (tail > 0) tail = Math.max(0, tail - overflow)
    else head = Math.max(0, head - overflow)
    marker = markerFor(head, tail)
    length = head + tail + marker.length + separators(head, tail, marker)
  }
  if (head === 0 && tail === 0 && trimmed.length > 0) {
    const single = markerFor(1, 0)
    if (1 + single.length + separators(1, 0, single) <= maxChars) {
      head = 1
      marker = single
    }
  }
  const parts = [sliceUtf16Safe(trimmed, 0, head), marker, tail > 0 ? sliceUtf16Safe(trimmed, -tail) : ''].filter((p) => p.length > 0)
  const rendered = parts.join(marker.includes('\n') ? '\n' : '')
  return {content: rendered.length > maxChars ? truncateUtf16Safe(rendered, maxChars) : rendered, truncated: true, maxChars, originalLength: trimmed.length}
}

interface DigestCandidate {
  text: string
  highPriority: boolean
}

function isDigestCandidate(line: string): boolean {
  if (/^(?:#{1,6}|\s*[-*+]|\s*\d+[.)])\s+\S/u.test(line)) return true
  return DIGEST_CANDIDATE.test(line)
}

function normalizeDigestLine(line: string): string {
  const normalized = line.trim().replace(/\s+/gu, ' ')
  if (normalized.length <= DIGEST_MAX_LINE_CHARS) return normalized
  return `${truncateUtf16Safe(normalized, DIGEST_MAX_LINE_CHARS - 1)}…`
}

/** High-priority rules first, then the rest, each while it fits; printed in the file's order. */
function buildDigest(candidates: readonly DigestCandidate[], budget: number): {text: string; omittedLines: number} {
  if (budget <= 0) return {text: '', omittedLines: 0}
  const selected = new Set<DigestCandidate>()
  let used = 0
  const trySelect = (c: DigestCandidate) => {
    const separator = selected.size > 0 ? 1 : 0
    if (used + separator + c.text.length > budget) return
    selected.add(c)
    used += separator + c.text.length
  }
  for (const c of candidates) if (c.highPriority) trySelect(c)
  for (const c of candidates) if (!selected.has(c)) trySelect(c)
  return {
    text: candidates
      .filter((c) => selected.has(c))
      .map((c) => c.text)
      .join('\n'),
    omittedLines: Math.max(0, candidates.length - selected.size),
  }
}

function trimAgentsContent(trimmed: string, maxChars: number): TrimmedFile {
  let head = Math.floor(maxChars * AGENTS_HEAD_RATIO)
  let tail = Math.floor(maxChars * AGENTS_TAIL_RATIO)
  let digestBudget = Math.floor(maxChars * AGENTS_DIGEST_RATIO)
  const candidates: DigestCandidate[] = []
  if (digestBudget > 0) {
    // A rule line keeps the prose line just above it, which often says what the rule is about.
    let lastProse: string | null = null
    for (const source of trimmed.split(/\r?\n/u)) {
      const line = normalizeDigestLine(source)
      if (line.length === 0) {
        lastProse = null
        continue
      }
      if (/^\s*(?:`{3,}|~{3,})/u.test(line)) lastProse = null
      else if (isDigestCandidate(line)) {
        candidates.push({text: lastProse === null ? line : `${lastProse}\n${line}`, highPriority: DIGEST_HIGH_PRIORITY.test(line)})
        lastProse = null
      } else lastProse = line
    }
  }
  let digest = buildDigest(candidates, digestBudget)
  const render = () =>
    [
      sliceUtf16Safe(trimmed, 0, head),
      `[...truncated, read ${AGENTS_FILE} for full content...]`,
      digest.text ? `[Policy digest from ${AGENTS_FILE}]` : '',
      digest.text,
      digest.omittedLines > 0 ? `[...${digest.omittedLines} more policy lines omitted...]` : '',
      `…(truncated ${AGENTS_FILE}: kept ${head}+policy ${digest.text.length}+${tail} chars of ${trimmed.length})…`,
      tail > 0 ? sliceUtf16Safe(trimmed, -tail) : '',
    ]
      .filter((p) => p.length > 0)
      .join('\n')
  let rendered = render()
  while (rendered.length > maxChars && (tail > 0 || head > 1 || digestBudget > 0)) {
    const overflow = rendered.length - maxChars
    if (tail > 0) tail = Math.max(0, tail - overflow)
    else if (head > 1) head = Math.max(1, head - overflow)
    else {
      digestBudget = Math.max(0, digestBudget - overflow)
      digest = buildDigest(candidates, digestBudget)
    }
    rendered = render()
  }
  return {content: rendered.length > maxChars ? truncateUtf16Safe(rendered, maxChars) : rendered, truncated: true, maxChars, originalLength: trimmed.length}
}
