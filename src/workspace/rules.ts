import {isUtf8} from 'node:buffer'
import type {WorkspaceRejection} from '../contract/workspace.js'
import {WORKSPACE_LIMITS} from '../contract/workspace-limits.js'
import {displayPath} from './files.js'

/**
 * The export rules for one file (DESIGN §5), apart from its name (files.ts) and secrets
 * (secret-scan.ts). Each check returns typed rejections whose message names the file, so the CLI
 * and the API print the same sentence.
 *
 * Decisions:
 * - Text is UTF-8 without a byte order mark. OpenClaw reads files as UTF-8 and would inject a
 *   BOM into the prompt as an invisible character, and a BOM hides a frontmatter block from the
 *   check below; editors that add one (Notepad) can save without it.
 * - NUL bytes are refused: they are valid UTF-8 but mark a binary file, and they truncate
 *   strings in C-based tools along the way.
 * - A file is "at most" 2 MiB (2,097,152 bytes), the limit OpenClaw applies when it reads.
 * - YAML frontmatter is kept as is: OpenClaw injects a workspace file's frontmatter into the
 *   prompt unchanged, and skills need theirs (name, description).
 */

/** What a directory entry or archive entry is, before its content is read. */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

function reject(path: string, code: WorkspaceRejection['code'], message: string, line?: number): WorkspaceRejection {
  return line === undefined ? {path, code, message} : {path, code, message, line}
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`
}

/** Only regular files are workspace files: a symlink could point anywhere on the machine. */
export function checkEntryKind(path: string, kind: EntryKind): WorkspaceRejection | undefined {
  const shown = displayPath(path)
  switch (kind) {
    case 'file':
      return undefined
    case 'symlink':
      return reject(path, 'symlink', `${shown} is a symbolic link; only regular files are read (replace the link with the file itself).`)
    case 'hardlink':
      return reject(path, 'not-regular', `${shown} is a hard link entry; only regular files are read.`)
    case 'directory':
      return reject(path, 'not-regular', `${shown} is a directory, not a file.`)
    case 'other':
      return reject(path, 'not-regular', `${shown} is not a regular file (a device, socket or pipe).`)
  }
}

export function checkSize(path: string, bytes: number): WorkspaceRejection | undefined {
  if (bytes <= WORKSPACE_LIMITS.maxFileBytes) return undefined
  return reject(path, 'too-large', `${displayPath(path)} is ${formatBytes(bytes)}; the limit is ${formatBytes(WORKSPACE_LIMITS.maxFileBytes)} per file.`)
}

function lineAt(text: string, index: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++
  return line
}

function lineAtByte(bytes: Uint8Array, offset: number): number {
  let line = 1
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++
  return line
}

/** The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629), or -1. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0
  const n = bytes.length
  const cont = (k: number) => k < n && (bytes[k]! & 0xc0) === 0x80
  while (i < n) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let len: number
    let min = 0x80
    let max = 0xbf
    if (b >= 0xc2 && b <= 0xdf) len = 2
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3
      if (b === 0xe0) min = 0xa0 // overlong
      if (b === 0xed) max = 0x9f // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4
      if (b === 0xf0) min = 0x90 // overlong
      if (b === 0xf4) max = 0x8f // above U+10FFFF
    } else return i
    const second = bytes[i + 1]
    if (second === undefined || second < min || second > max) return i
    for (let k = 2; k < len; k++) if (!cont(i + k)) return i
    i += len
  }
  return -1
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Bytes from disk or an archive to text, or the reason they are not workspace text. Size is
 * checked first so an oversize file is never decoded.
 */
export function decodeFile(path: string, bytes: Uint8Array): {text: string; problems: []} | {text: undefined; problems: WorkspaceRejection[]} {
  const tooLarge = checkSize(path, bytes.length)
  if (tooLarge) return {text: undefined, problems: [tooLarge]}
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8Offset(bytes)
    const line = lineAtByte(bytes, Math.max(at, 0))
    return {
      text: undefined,
      problems: [reject(path, 'invalid-utf8', `${displayPath(path)} is not valid UTF-8 (byte ${at} on line ${line}); save it as UTF-8.`, line)],
    }
  }
  return {text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), problems: []}
}

/** The content rules on text, as it arrives over the API or after decoding. */
export function checkText(path: string, text: string): WorkspaceRejection[] {
  const shown = displayPath(path)
  const tooLarge = checkSize(path, Buffer.byteLength(text, 'utf8'))
  if (tooLarge) return [tooLarge]
  const problems: WorkspaceRejection[] = []
  const surrogate = LONE_SURROGATE.exec(text)
  if (surrogate) {
    const line = lineAt(text, surrogate.index)
    problems.push(reject(path, 'invalid-utf8', `${shown} has text that cannot be encoded as UTF-8 (a lone surrogate on line ${line}).`, line))
  }
  const nul = text.indexOf('\0')
  if (nul !== -1) {
    const line = lineAt(text, nul)
    problems.push(reject(path, 'nul-byte', `${shown} contains a NUL byte on line ${line}; workspace files are text.`, line))
  }
  if (text.startsWith('\uFEFF')) {
    problems.push(reject(path, 'bom', `${shown} starts with a UTF-8 byte order mark; save it as UTF-8 without BOM.`, 1))
  }
  return problems
}
