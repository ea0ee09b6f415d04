import {WORKSPACE_LIMITS, type WorkspaceRejectCode, type WorkspaceSkipCode} from '../contract/workspace.js'

/**
 * Which paths make up an OpenClaw workspace, and the verdict on any other path.
 *
 * OpenClaw loads its bootstrap files by exact name from the workspace root (it lists the directory
 * and compares names exactly, so `soul.md` is never read, even on a case-insensitive disk), and
 * daily notes from `memory/`. Everything else in a workspace directory (`skills/`, `.git/`,
 * `canvas/`) is OpenClaw's or the user's business, not part of the agent's configuration.
 */

/** The files OpenClaw injects into the system prompt, in its order. */
export const CORE_FILES = ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'MEMORY.md'] as const
export type CoreFile = (typeof CORE_FILES)[number]

/** Read by OpenClaw versions before 2026.7 only; written with `--legacy`. */
export const LEGACY_FILES = ['TOOLS.md', 'HEARTBEAT.md'] as const

/** OpenClaw's one-time first-run ritual: its presence makes OpenClaw restart onboarding. */
export const BOOTSTRAP_FILE = 'BOOTSTRAP.md'

export const MEMORY_DIR = 'memory'

/**
 * `memory/YYYY-MM-DD.md`, or `memory/YYYY-MM-DD-<slug>.md` as OpenClaw's session-memory hook
 * writes them (`2026-07-01-1530.md`, `2026-07-01-trip-plans.md`). Slugs are lower-case so that
 * two notes can never differ by case only.
 */
const DAILY_NOTE = /^(\d{4})-(\d{2})-(\d{2})(?:-[a-z0-9]+(?:-[a-z0-9]+)*)?\.md$/
const DATE_LIKE_NOTE = /^\d{4}-\d{2}-\d{2}(?:-[^/]*)?\.md$/i

export type PathVerdict =
  | {kind: 'accepted'; path: string}
  | {kind: 'skipped'; path: string; code: WorkspaceSkipCode; message: string}
  | {kind: 'rejected'; path: string; code: WorkspaceRejectCode; message: string}

export interface ClassifyOptions {
  /** Accept TOOLS.md and HEARTBEAT.md (OpenClaw before 2026.7). */
  legacy?: boolean
}

/** A readable form of a path for messages: control characters escaped, bounded length. */
export function displayPath(path: string): string {
  const escaped = JSON.stringify(path).slice(1, -1)
  return escaped.length > 120 ? `${escaped.slice(0, 117)}...` : escaped
}

export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false
  const d = new Date(Date.UTC(year, month - 1, day))
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
}

export type PathSafetyCode = Extract<
  WorkspaceRejectCode,
  'empty-path' | 'nul-in-path' | 'control-char' | 'backslash' | 'absolute-path' | 'traversal' | 'empty-segment' | 'path-too-long'
>

/**
 * Whether a relative path is safe to join to a directory: it cannot name anything outside it,
 * and it has one spelling only (no "//", "./" or trailing "/"), so two paths that differ as
 * strings never name the same file.
 */
export function checkPathSafety(path: string): {code: PathSafetyCode; message: string} | undefined {
  const shown = displayPath(path)
  if (path.length === 0) return {code: 'empty-path', message: 'A file has an empty path.'}
  if (path.includes('\0')) return {code: 'nul-in-path', message: `${shown}: the path contains a NUL byte.`}
  if (/[\u0001-\u001f\u007f]/.test(path)) return {code: 'control-char', message: `${shown}: the path contains a control character.`}
  if (path.includes('\\')) {
    return {code: 'backslash', message: `${shown}: backslashes are not path separators here; use "/" (a backslash can escape the directory on Windows).`}
  }
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    return {code: 'absolute-path', message: `${shown}: absolute paths are not allowed; paths are relative to the workspace.`}
  }
  const segments = path.split('/')
  if (segments.includes('..')) return {code: 'traversal', message: `${shown}: ".." would leave the workspace directory.`}
  if (segments.some((s) => s === '' || s === '.')) {
    return {code: 'empty-segment', message: `${shown}: the path has an empty or "." segment; write it without "//", "./" or a trailing "/".`}
  }
  if (Buffer.byteLength(path, 'utf8') > WORKSPACE_LIMITS.maxPathBytes) {
    return {code: 'path-too-long', message: `${shown}: the path is longer than ${WORKSPACE_LIMITS.maxPathBytes} bytes.`}
  }
  return undefined
}

/**
 * The verdict on one relative path, from its name alone. Attacks (traversal, absolute paths,
 * backslashes, NUL) are rejected before any name is looked at, so a caller that writes only
 * accepted paths can never leave the target directory.
 */
export function classifyPath(path: string, opts: ClassifyOptions = {}): PathVerdict {
  const shown = displayPath(path)
  const reject = (code: WorkspaceRejectCode, message: string): PathVerdict => ({kind: 'rejected', path, code, message})
  const skip = (code: WorkspaceSkipCode, message: string): PathVerdict => ({kind: 'skipped', path, code, message})

  const unsafe = checkPathSafety(path)
  if (unsafe) return reject(unsafe.code, unsafe.message)
  const segments = path.split('/')

  if (segments.length === 1) return classifyRootName(path, shown, opts, reject, skip)
  if (segments.length === 2) {
    const [dir, name] = segments as [string, string]
    if (dir === MEMORY_DIR) return classifyMemoryNote(path, name, shown, reject, skip)
    if (dir.toLowerCase() === MEMORY_DIR) {
      return reject('case-variant', `${shown}: OpenClaw reads daily notes from "memory/" (lower case) only; rename the directory.`)
    }
  }
  return skip('unknown-name', `${shown}: not part of an OpenClaw workspace's configuration; left out.`)
}

function classifyRootName(
  name: string,
  shown: string,
  opts: ClassifyOptions,
  reject: (c: WorkspaceRejectCode, m: string) => PathVerdict,
  skip: (c: WorkspaceSkipCode, m: string) => PathVerdict,
): PathVerdict {
  if ((CORE_FILES as readonly string[]).includes(name)) return {kind: 'accepted', path: name}
  if (name.toUpperCase() === BOOTSTRAP_FILE.toUpperCase()) {
    return reject('bootstrap', `${shown}: BOOTSTRAP.md is OpenClaw's first-run ritual; it is never exported or imported (its presence would restart onboarding).`)
  }
  if ((LEGACY_FILES as readonly string[]).includes(name)) {
    if (opts.legacy) return {kind: 'accepted', path: name}
    return skip('legacy-only', `${shown}: only OpenClaw versions before 2026.7 read it; pass --legacy to include it.`)
  }
  const known = [...CORE_FILES, ...LEGACY_FILES].find((n) => n.toLowerCase() === name.toLowerCase())
  if (known) return reject('case-variant', `${shown}: OpenClaw loads "${known}" (exact case) and would ignore this file; rename it to ${known}.`)
  return skip('unknown-name', `${shown}: not part of an OpenClaw workspace's configuration; left out.`)
}

function classifyMemoryNote(
  path: string,
  name: string,
  shown: string,
  reject: (c: WorkspaceRejectCode, m: string) => PathVerdict,
  skip: (c: WorkspaceSkipCode, m: string) => PathVerdict,
): PathVerdict {
  const m = DAILY_NOTE.exec(name)
  if (m) {
    if (isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) return {kind: 'accepted', path}
    return reject('invalid-date', `${shown}: ${name.slice(0, 10)} is not a real date; daily notes are named memory/YYYY-MM-DD.md.`)
  }
  if (DATE_LIKE_NOTE.test(name)) {
    return reject('case-variant', `${shown}: daily notes are named memory/YYYY-MM-DD.md or memory/YYYY-MM-DD-slug.md, with a lower-case slug and ".md".`)
  }
  return skip('unknown-name', `${shown}: not a daily note (memory/YYYY-MM-DD.md); left out.`)
}

/** Byte-wise order of UTF-8 paths: the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
