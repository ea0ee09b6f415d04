import type {WorkspaceRejection, WorkspaceSkip} from '../contract/workspace.js'
import {WORKSPACE_LIMITS, type WorkspaceRejectCode, type WorkspaceSkipCode} from '../contract/workspace-limits.js'

/**
 * Which paths make up an OpenClaw workspace, and the verdict on any other path: what OpenClaw
 * 2026.9.6's own workspaces hold (`ensureAgentWorkspace`, its memory and skills loaders).
 *
 * - Root files by exact name (OpenClaw lists the directory and compares names exactly, so
 *   `soul.md` is never read, even on a case-insensitive disk): the bootstrap files it injects,
 *   BOOTSTRAP.md (its first-run ritual, kept until the agent deletes it), TOOLS.md and
 *   HEARTBEAT.md (kept as the user had them), dreams.md.
 * - `memory/**` + `.md`: dated daily notes and any other note, at any depth.
 * - `skills/<name>/...`: a skill's SKILL.md and the files beside it.
 * Everything else (`.git/`, `canvas/`, `.openclaw/`) is OpenClaw's or the user's business: skipped
 * and named, never an error.
 */

/** The files OpenClaw injects into the system prompt when present, in its order. */
export const CORE_FILES = ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'MEMORY.md'] as const

/** Not injected by OpenClaw 2026.9 but kept and exported as the user had them. */
export const LEGACY_FILES = ['TOOLS.md', 'HEARTBEAT.md'] as const

/** OpenClaw's one-time first-run ritual; the agent deletes it when done. */
export const BOOTSTRAP_FILE = 'BOOTSTRAP.md'

/** The memory plugin's dream diary. */
export const DREAMS_FILE = 'dreams.md'

export const MEMORY_DIR = 'memory'
export const SKILLS_DIR = 'skills'

const ROOT_FILES: readonly string[] = [...CORE_FILES, BOOTSTRAP_FILE, ...LEGACY_FILES, DREAMS_FILE]

export type PathVerdict =
  | {kind: 'accepted'; path: string}
  | {kind: 'skipped'; path: string; code: WorkspaceSkipCode; message: string}
  | {kind: 'rejected'; path: string; code: WorkspaceRejectCode; message: string}

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
  // Bidirectional overrides make a name display as another one (`memory/\u202e..` reads as a climb).
  if (/[\u202a-\u202e\u2066-\u2069]/.test(path)) {
    return {code: 'control-char', message: `${shown}: the path contains a bidirectional text control character.`}
  }
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
export function classifyPath(path: string): PathVerdict {
  const shown = displayPath(path)
  const reject = (code: WorkspaceRejectCode, message: string): PathVerdict => ({kind: 'rejected', path, code, message})
  const skip = (code: WorkspaceSkipCode, message: string): PathVerdict => ({kind: 'skipped', path, code, message})

  const unsafe = checkPathSafety(path)
  if (unsafe) return reject(unsafe.code, unsafe.message)
  const [top, ...rest] = path.split('/') as [string, ...string[]]
  if (rest.length === 0) {
    if (ROOT_FILES.includes(path)) return {kind: 'accepted', path}
    const known = [...ROOT_FILES, MEMORY_DIR, SKILLS_DIR].find((n) => n.toLowerCase() === path.toLowerCase())
    if (known === MEMORY_DIR || known === SKILLS_DIR) {
      if (path === known) return skip('unknown-name', `${shown}: a file where OpenClaw expects the ${known}/ directory; left out.`)
      return reject('case-variant', `${shown}: OpenClaw reads "${known}/" (lower case) only; rename it.`)
    }
    if (known) return reject('case-variant', `${shown}: OpenClaw loads "${known}" (exact case) and would ignore this file; rename it to ${known}.`)
  } else if (top === MEMORY_DIR) {
    if (path.endsWith('.md')) return {kind: 'accepted', path}
    if (path.toLowerCase().endsWith('.md')) return reject('case-variant', `${shown}: OpenClaw indexes memory notes ending in ".md" (lower case) only; rename it.`)
    return skip('unknown-name', `${shown}: not a memory note (memory/**/*.md); left out.`)
  } else if (top === SKILLS_DIR) {
    if (rest.length >= 2) return {kind: 'accepted', path}
    return skip('unknown-name', `${shown}: a skill lives in its own directory (skills/<name>/SKILL.md); left out.`)
  }
  if (top.toLowerCase() === MEMORY_DIR || top.toLowerCase() === SKILLS_DIR) {
    return reject('case-variant', `${shown}: OpenClaw reads "${top.toLowerCase()}/" (lower case) only; rename the directory.`)
  }
  return skip('unknown-name', `${shown}: not part of an OpenClaw workspace; left out.`)
}

/** Adds a skipped or rejected verdict to its list and returns true; false for an accepted path. */
export function recordVerdict(verdict: PathVerdict, skipped: WorkspaceSkip[], rejected: WorkspaceRejection[]): boolean {
  if (verdict.kind === 'skipped') skipped.push({path: verdict.path, code: verdict.code, message: verdict.message})
  else if (verdict.kind === 'rejected') rejected.push({path: verdict.path, code: verdict.code, message: verdict.message})
  return verdict.kind !== 'accepted'
}

/** Byte-wise order of UTF-8 paths: the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
