import {Readable, type Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {checkPathSafety, comparePaths} from './files.js'

/**
 * A deterministic POSIX ustar writer and a strict reader, our own code (no dependency): an
 * export archive must be byte-identical for the same workspace, so nothing of the machine that
 * wrote it may leak into it.
 *
 * Writer: entries sorted by UTF-8 path bytes, parent directories as their own entries (0755),
 * files 0644, uid/gid 0, empty uname/gname, a fixed mtime, no pax headers (names that do not fit
 * ustar's 100+155 bytes are refused, which allowed workspace names never reach), and the two
 * zero blocks that end an archive. No padding to a 10 KiB record: readers do not need it.
 *
 * Reader: refuses symlinks, hard links, devices, FIFOs, absolute paths and traversal. It accepts
 * what common tools write for an ordinary directory: a leading "./", pax and GNU long-name
 * headers (only their path and size are used), and padding after the end marker.
 */

export const BLOCK = 512
/** 1970-01-01T00:00:00Z: a constant, so the archive does not depend on when files were written. */
export const TAR_MTIME = 0
const FILE_MODE = 0o644
const DIR_MODE = 0o755
const MAX_SIZE = 0o77777777777 // 11 octal digits
const MAX_META_BYTES = 64 * 1024

export interface TarFile {
  path: string
  data: Uint8Array
}

export class TarError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid-path' | 'duplicate' | 'too-long' | 'too-large' | 'corrupt' | 'refused' | 'limit',
    readonly path?: string,
  ) {
    super(message)
    this.name = 'TarError'
  }
}

interface PlannedEntry {
  /** Directories end in "/". */
  name: string
  type: 'file' | 'directory'
  data?: Uint8Array
}

/** Files plus their parent directories, sorted: the archive's order does not depend on input order. */
function planEntries(files: Iterable<TarFile>): PlannedEntry[] {
  const byPath = new Map<string, PlannedEntry>()
  const dirs = new Set<string>()
  for (const f of files) {
    const unsafe = checkPathSafety(f.path)
    if (unsafe) throw new TarError(unsafe.message, 'invalid-path', f.path)
    if (byPath.has(f.path)) throw new TarError(`${f.path} appears twice.`, 'duplicate', f.path)
    byPath.set(f.path, {name: f.path, type: 'file', data: f.data})
    const parts = f.path.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  for (const d of dirs) {
    if (byPath.has(d)) throw new TarError(`${d} is both a file and a directory.`, 'duplicate', d)
    byPath.set(d, {name: `${d}/`, type: 'directory'})
  }
  return [...byPath.values()].sort((a, b) => comparePaths(a.name, b.name))
}

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8')
  if (bytes.length > length) throw new TarError(`"${value}" does not fit its tar field.`, 'too-long')
  bytes.copy(block, offset)
}

/** Octal, zero-padded to width-1 digits, NUL-terminated: what POSIX and GNU tar write. */
function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  writeString(block, offset, width, `${value.toString(8).padStart(width - 1, '0')}\0`)
}

function splitName(name: string): {prefix: string; name: string} {
  const bytes = Buffer.byteLength(name, 'utf8')
  if (bytes <= 100) return {prefix: '', name}
  // Split at a "/" so that the tail fits 100 bytes and the head 155.
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const head = name.slice(0, i)
    const tail = name.slice(i + 1)
    if (tail.length > 0 && Buffer.byteLength(head, 'utf8') <= 155 && Buffer.byteLength(tail, 'utf8') <= 100) return {prefix: head, name: tail}
  }
  throw new TarError(`${name} is too long for a ustar archive.`, 'too-long', name)
}

function header(entry: PlannedEntry): Buffer {
  const block = Buffer.alloc(BLOCK)
  const {prefix, name} = splitName(entry.name)
  const size = entry.data?.length ?? 0
  if (size > MAX_SIZE) throw new TarError(`${entry.name} is too large for a ustar archive.`, 'too-large', entry.name)
  writeString(block, 0, 100, name)
  writeOctal(block, 100, 8, entry.type === 'directory' ? DIR_MODE : FILE_MODE)
  writeOctal(block, 108, 8, 0) // uid
  writeOctal(block, 116, 8, 0) // gid
  writeOctal(block, 124, 12, size)
  writeOctal(block, 136, 12, TAR_MTIME)
  block.fill(0x20, 148, 156) // checksum field counts as spaces while summing
  block[156] = (entry.type === 'directory' ? '5' : '0').charCodeAt(0)
  writeString(block, 257, 6, 'ustar\0')
  writeString(block, 263, 2, '00')
  // uname and gname stay empty: no user name of the writing machine in the archive.
  writeOctal(block, 329, 8, 0) // devmajor
  writeOctal(block, 337, 8, 0) // devminor
  writeString(block, 345, 155, prefix)
  let sum = 0
  for (const b of block) sum += b
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  return block
}

/** The archive as a sequence of chunks, so it can be streamed without building it in memory twice. */
export function* tarChunks(files: Iterable<TarFile>): Generator<Uint8Array> {
  for (const entry of planEntries(files)) {
    yield header(entry)
    if (entry.data && entry.data.length > 0) {
      yield entry.data
      const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK
      if (pad) yield Buffer.alloc(pad)
    }
  }
  yield Buffer.alloc(2 * BLOCK)
}

export function tarBuffer(files: Iterable<TarFile>): Buffer {
  return Buffer.concat([...tarChunks(files)])
}

/**
 * Writes the archive to a stream (a file, or stdout for `--out -`), honouring backpressure, and
 * fails if the stream errors or closes early (a closed pipe). `end: false` leaves stdout open.
 */
export async function writeTar(files: Iterable<TarFile>, out: Writable, opts: {end?: boolean} = {}): Promise<void> {
  const chunks = [...tarChunks(files)] // plan and validate before the first byte goes out
  await pipeline(Readable.from(chunks, {objectMode: false}), out, {end: opts.end ?? true}).catch((err: NodeJS.ErrnoException) => {
    // Node's own stream errors (closed early, destroyed, ended) say the same thing: the output went away.
    throw err.code?.startsWith('ERR_STREAM_') ? new Error('The output closed before the archive was written.') : err
  })
}

// ---------------------------------------------------------------------------------------------
// Reading

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'other'

export interface RawTarEntry {
  /** As stored, after joining prefix and name, with a leading "./" and a directory's trailing "/" removed. */
  path: string
  type: TarEntryType
  /** A view into the archive: no copy. Empty for non-files. */
  data: Uint8Array
}

export interface TarReadLimits {
  maxEntries?: number
}

const decoder = new TextDecoder('utf-8', {fatal: true})

function readString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length)
  const end = field.indexOf(0)
  try {
    return decoder.decode(end === -1 ? field : field.subarray(0, end))
  } catch {
    throw new TarError('An entry name is not valid UTF-8.', 'corrupt')
  }
}

function readOctal(block: Uint8Array, offset: number, length: number, what: string): number {
  const field = block.subarray(offset, offset + length)
  if (field[0] !== undefined && field[0] & 0x80) throw new TarError(`Unsupported base-256 ${what} field.`, 'corrupt')
  const text = Buffer.from(field).toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '')
  if (text === '') return 0
  if (!/^[0-7]+$/.test(text)) throw new TarError(`Corrupt ${what} field in a tar header.`, 'corrupt')
  return parseInt(text, 8)
}

const isZeroBlock = (block: Uint8Array) => block.every((b) => b === 0)

function verifyChecksum(block: Uint8Array): void {
  const stored = readOctal(block, 148, 8, 'checksum')
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!
    unsigned += b
    signed += b > 127 ? b - 256 : b
  }
  if (stored !== unsigned && stored !== signed) throw new TarError('A tar header has a bad checksum: the archive is corrupt.', 'corrupt')
}

/** The entry types by typeflag; any other flag is 'other'. '7' (contiguous file) is a regular file for every reader. */
const TYPE_FLAGS: Readonly<Record<string, TarEntryType>> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '5': 'directory',
  '2': 'symlink',
  '1': 'hardlink',
  '3': 'device',
  '4': 'device',
  '6': 'fifo',
}

/** pax extended header records: "<len> <key>=<value>\n". */
function parsePax(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>()
  const text = Buffer.from(data).toString('utf8')
  let i = 0
  while (i < text.length) {
    const space = text.indexOf(' ', i)
    if (space === -1) break
    const len = Number(text.slice(i, space))
    if (!Number.isInteger(len) || len <= 0) throw new TarError('Corrupt pax header.', 'corrupt')
    const record = Buffer.from(text.slice(i)).subarray(0, len).toString('utf8')
    const eq = record.indexOf('=')
    if (eq === -1 || !record.endsWith('\n')) throw new TarError('Corrupt pax header.', 'corrupt')
    records.set(record.slice(record.indexOf(' ') + 1, eq), record.slice(eq + 1, -1))
    i += record.length
  }
  return records
}

function normalizeEntryPath(raw: string): string {
  let p = raw
  while (p.startsWith('./')) p = p.slice(2)
  if (p === '.') p = ''
  while (p.endsWith('/') && p.length > 1) p = p.slice(0, -1)
  return p
}

/**
 * Every entry of an archive, links and devices included, as stored. Throws TarError only for a
 * corrupt or truncated archive; `readTar` and the workspace reader decide what to refuse.
 */
export function* iterateTar(bytes: Uint8Array, limits: TarReadLimits = {}): Generator<RawTarEntry> {
  const maxEntries = limits.maxEntries ?? 10_000
  let offset = 0
  let count = 0
  let pendingPath: string | undefined
  let pendingSize: number | undefined
  while (true) {
    if (offset + BLOCK > bytes.length) throw new TarError('The archive is truncated (no end-of-archive marker).', 'corrupt')
    const block = bytes.subarray(offset, offset + BLOCK)
    if (isZeroBlock(block)) {
      const next = bytes.subarray(offset + BLOCK, offset + 2 * BLOCK)
      if (next.length === BLOCK && isZeroBlock(next)) return
      throw new TarError('The archive is truncated (one end-of-archive block only).', 'corrupt')
    }
    verifyChecksum(block)
    const magic = readString(block, 257, 6)
    if (magic !== 'ustar' && magic !== 'ustar ') throw new TarError('Not a ustar archive.', 'corrupt')
    const size = pendingSize ?? readOctal(block, 124, 12, 'size')
    const dataStart = offset + BLOCK
    const dataEnd = dataStart + size
    if (dataEnd > bytes.length) throw new TarError('The archive is truncated inside an entry.', 'corrupt')
    const data = bytes.subarray(dataStart, dataEnd)
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK
    if (++count > maxEntries) throw new TarError(`The archive has more than ${maxEntries} entries.`, 'limit')

    const kind = String.fromCharCode(block[156]!)
    if (kind === 'x' || kind === 'g' || kind === 'L' || kind === 'K') {
      if (size > MAX_META_BYTES) throw new TarError('An archive metadata header is too large.', 'limit')
      if (kind === 'x') {
        const pax = parsePax(data)
        const path = pax.get('path')
        if (path !== undefined) pendingPath = path
        const paxSize = pax.get('size')
        if (paxSize !== undefined) {
          if (!/^\d+$/.test(paxSize)) throw new TarError('Corrupt pax size.', 'corrupt')
          pendingSize = Number(paxSize)
        }
        // A pax linkpath only matters for links, which are refused whatever they point to.
      } else if (kind === 'L') {
        pendingPath = readString(data, 0, data.length)
      }
      // 'g' (global, e.g. git archive's commit comment) and 'K' (long link target) carry nothing we use.
      continue
    }

    const prefix = magic === 'ustar' ? readString(block, 345, 155) : ''
    const name = readString(block, 0, 100)
    const rawPath = pendingPath ?? (prefix ? `${prefix}/${name}` : name)
    pendingPath = undefined
    pendingSize = undefined
    const type = TYPE_FLAGS[kind] ?? 'other'
    const path = normalizeEntryPath(rawPath)
    if (path === '' && type === 'directory') continue // the archive root, from `tar -C dir .`
    yield {path, type, data: type === 'file' ? data : new Uint8Array(0)}
  }
}

export type TarEntry = RawTarEntry & {type: 'file' | 'directory'}

/**
 * A strict read: regular files and directories with safe relative paths, or a TarError naming
 * the first entry that is not.
 */
export function readTar(bytes: Uint8Array, limits: TarReadLimits = {}): TarEntry[] {
  const entries: TarEntry[] = []
  const seen = new Set<string>()
  for (const e of iterateTar(bytes, limits)) {
    if (e.type !== 'file' && e.type !== 'directory') {
      throw new TarError(`${JSON.stringify(e.path)} is a ${e.type} entry; only regular files and directories are accepted.`, 'refused', e.path)
    }
    const unsafe = checkPathSafety(e.path)
    if (unsafe) throw new TarError(unsafe.message, 'refused', e.path)
    if (seen.has(e.path)) throw new TarError(`${JSON.stringify(e.path)} appears twice in the archive.`, 'refused', e.path)
    seen.add(e.path)
    entries.push({path: e.path, type: e.type, data: e.data})
  }
  return entries
}
