import {createHmac, hkdfSync, randomBytes} from 'node:crypto'
import {constants} from 'node:fs'
import {mkdir, open as openFile, readdir, rename, rm, type FileHandle} from 'node:fs/promises'
import {join} from 'node:path'
import {AeadError, open, seal} from '../crypto/aead.js'

/**
 * Everything an agent persists, encrypted at rest under its instance's data key (AES-256-GCM).
 *
 * Names are logical paths ("workspace/SOUL.md", "sessions/abc"), never file names: each entry is
 * stored in `<dir>/vault/<hmac(name)>`, so file names reveal nothing, and the name is kept inside
 * the file, encrypted, for `list`. Copying a file onto another name's path does not work: every
 * frame's AAD names its entry and its position.
 *
 * File format:  "CLV1" | frame* ;  frame = u32be length | envelope (src/crypto/aead.ts)
 *   frame 0  = the entry's name
 *   frame 1+ = content records; `read` concatenates them, `readRecords` returns them one by one.
 *
 * `write` replaces an entry atomically (temp file, fsync, rename, fsync the directory). `append`
 * adds one record with a single write and fsync; a crash mid-append leaves a torn last frame,
 * which reads ignore and the next append cuts off.
 */
const MAGIC = Buffer.from('CLV1')
const LENGTH_BYTES = 4
/** A bound on one record, so a corrupt length cannot make us allocate gigabytes. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024
const MAX_NAME_BYTES = 512

export type VaultErrorCode = 'disk_full' | 'corrupt' | 'too_large' | 'bad_name'

/** A vault failure with a stable code; messages never contain data. */
export class VaultError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'VaultError'
  }
}

interface Layout {
  /** Frames that decrypted (the name frame included). */
  frames: number
  /** Byte length of the file up to the end of the last good frame. */
  goodLength: number
}

export class Vault {
  private readonly nameKey: Buffer
  /** Per-entry chains so appends and writes to one entry never interleave. */
  private readonly queues = new Map<string, Promise<unknown>>()
  /** Where each appendable entry ends, learnt once per process. */
  private readonly layouts = new Map<string, Layout>()

  private constructor(
    readonly dir: string,
    private readonly key: Buffer,
  ) {
    this.nameKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'clawd/vault-names/v1', 32))
  }

  /** Opens (and creates) `<instanceDir>/vault`. The key is copied; the caller may wipe its own. */
  static async open(instanceDir: string, dataKey: Uint8Array): Promise<Vault> {
    if (dataKey.length !== 32) throw new TypeError('the vault needs a 32-byte data key')
    const dir = join(instanceDir, 'vault')
    await mkdir(dir, {recursive: true, mode: 0o700})
    return new Vault(dir, Buffer.from(dataKey))
  }

  /** The entry's content (all records joined), or undefined when it does not exist. */
  async read(name: string): Promise<Buffer | undefined> {
    const records = await this.readRecords(name)
    return records && Buffer.concat(records)
  }

  async readText(name: string): Promise<string | undefined> {
    return (await this.read(name))?.toString('utf8')
  }

  async readJson<T = unknown>(name: string): Promise<T | undefined> {
    const text = await this.readText(name)
    return text === undefined ? undefined : (JSON.parse(text) as T)
  }

  /** Each appended record of the entry in order, or undefined when it does not exist. */
  async readRecords(name: string): Promise<Buffer[] | undefined> {
    checkName(name)
    return chained(this.queues, name, async () => {
      const raw = await this.readFileOrUndefined(this.pathOf(name))
      if (!raw) return undefined
      const {records, layout} = this.decode(name, raw)
      this.layouts.set(name, layout)
      return records
    })
  }

  /** Replaces the entry with `data`, atomically. */
  async write(name: string, data: Uint8Array | string): Promise<void> {
    checkName(name)
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)
    await chained(this.queues, name, () => this.writeFresh(name, body))
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await this.write(name, JSON.stringify(value))
  }

  /** Adds one record to the entry (created when missing). For transcripts and other logs. */
  async append(name: string, record: Uint8Array | string): Promise<void> {
    checkName(name)
    const body = typeof record === 'string' ? Buffer.from(record, 'utf8') : Buffer.from(record)
    await chained(this.queues, name, async () => {
      const path = this.pathOf(name)
      let layout = this.layouts.get(name)
      if (!layout) {
        const raw = await this.readFileOrUndefined(path)
        layout = raw ? this.decode(name, raw).layout : undefined
      }
      if (!layout) return this.writeFresh(name, body)
      const frame = this.frame(name, layout.frames, body)
      await withFile(path, constants.O_RDWR, async (fh) => {
        // Cut a torn tail left by a crash before adding after it.
        await fh.truncate(layout.goodLength)
        await writeAll(fh, frame, layout.goodLength)
        await fh.sync()
      }).catch((error: unknown) => {
        this.layouts.delete(name)
        throw mapFsError(error)
      })
      this.layouts.set(name, {frames: layout.frames + 1, goodLength: layout.goodLength + frame.length})
    })
  }

  /** Removes the entry; true when it existed. */
  async delete(name: string): Promise<boolean> {
    checkName(name)
    return chained(this.queues, name, async () => {
      this.layouts.delete(name)
      try {
        await rm(this.pathOf(name))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
        throw mapFsError(error)
      }
      await this.syncDir()
      return true
    })
  }

  async has(name: string): Promise<boolean> {
    checkName(name)
    return (await this.readFileOrUndefined(this.pathOf(name))) !== undefined
  }

  /** Names of the entries starting with `prefix`, sorted. Reads only each file's name frame. */
  async list(prefix = ''): Promise<string[]> {
    const names: string[] = []
    for (const file of await readdir(this.dir)) {
      if (!/^[0-9a-f]{40}$/.test(file)) continue
      const name = await this.readName(join(this.dir, file)).catch(() => undefined)
      if (name !== undefined && name.startsWith(prefix) && this.fileOf(name) === file) names.push(name)
    }
    return names.sort()
  }

  // ---- internals ----

  /** The entry as a new file: its name frame and one record, replacing any old one atomically. */
  private async writeFresh(name: string, body: Buffer): Promise<void> {
    const file = Buffer.concat([MAGIC, this.frame(name, 0, Buffer.from(name, 'utf8')), this.frame(name, 1, body)])
    await this.replaceFile(this.pathOf(name), file)
    this.layouts.set(name, {frames: 2, goodLength: file.length})
  }

  private fileOf(name: string): string {
    return createHmac('sha256', this.nameKey).update(name).digest('hex').slice(0, 40)
  }

  private pathOf(name: string): string {
    return join(this.dir, this.fileOf(name))
  }

  /**
   * Frame 0 (the name) has a fixed AAD so `list` can read it without knowing the name; it is
   * bound to its file by checking that the file is named HMAC(name). Content frames are bound to
   * their entry and position.
   */
  private aad(name: string, index: number): string {
    return index === 0 ? NAME_FRAME_AAD : `clawd/vault/v1|${name}|${index}`
  }

  private frame(name: string, index: number, body: Buffer): Buffer {
    if (body.length > MAX_RECORD_BYTES) throw new VaultError('too_large', `a vault record is limited to ${MAX_RECORD_BYTES} bytes`)
    const envelope = seal(this.key, body, this.aad(name, index))
    const length = Buffer.alloc(LENGTH_BYTES)
    length.writeUInt32BE(envelope.length)
    return Buffer.concat([length, envelope])
  }

  /**
   * Decrypts every complete frame. A frame cut short (a crash mid-append, never acknowledged) ends
   * the entry; a complete frame that fails to decrypt is corruption or tampering, and throws.
   */
  private decode(name: string, raw: Buffer): {records: Buffer[]; layout: Layout} {
    if (raw.length < MAGIC.length || !raw.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new VaultError('corrupt', 'a vault file has an unknown format')
    }
    const records: Buffer[] = []
    let offset = MAGIC.length
    let index = 0
    while (offset + LENGTH_BYTES <= raw.length) {
      const length = raw.readUInt32BE(offset)
      const end = offset + LENGTH_BYTES + length
      if (length > MAX_RECORD_BYTES + 64 || end > raw.length) break
      let plain: Buffer
      try {
        plain = open(this.key, raw.subarray(offset + LENGTH_BYTES, end), this.aad(name, index))
      } catch (error) {
        if (error instanceof AeadError) throw new VaultError('corrupt', 'a vault file does not decrypt under this instance key')
        throw error
      }
      if (index === 0) {
        if (plain.toString('utf8') !== name) throw new VaultError('corrupt', 'a vault file belongs to another entry')
      } else {
        records.push(plain)
      }
      index++
      offset = end
    }
    if (index === 0) throw new VaultError('corrupt', 'a vault file has no readable name')
    return {records, layout: {frames: index, goodLength: offset}}
  }

  /** The entry name in a file's frame 0; undefined (or a rejection) for a file that has none readable. */
  private async readName(path: string): Promise<string | undefined> {
    return withFile(path, 'r', async (fh) => {
      const head = Buffer.alloc(MAGIC.length + LENGTH_BYTES)
      const {bytesRead} = await fh.read(head, 0, head.length, 0)
      if (bytesRead < head.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) return undefined
      const length = head.readUInt32BE(MAGIC.length)
      if (length > MAX_NAME_BYTES + 64) return undefined
      const envelope = Buffer.alloc(length)
      const read = await fh.read(envelope, 0, length, head.length)
      if (read.bytesRead < length) return undefined
      return open(this.key, envelope, NAME_FRAME_AAD).toString('utf8')
    })
  }

  private async readFileOrUndefined(path: string): Promise<Buffer | undefined> {
    return withFile(path, 'r', (fh) => fh.readFile()).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw mapFsError(error)
    })
  }

  private async replaceFile(path: string, data: Buffer): Promise<void> {
    const temp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`)
    try {
      await withFile(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, async (fh) => {
        await writeAll(fh, data, 0)
        await fh.sync()
      }, 0o600)
      await rename(temp, path)
      await this.syncDir()
    } catch (error) {
      await rm(temp, {force: true}).catch(() => {})
      throw mapFsError(error)
    }
  }

  private async syncDir(): Promise<void> {
    await withFile(this.dir, 'r', (fh) => fh.sync())
  }
}

const NAME_FRAME_AAD = 'clawd/vault/v1|name'

/** Runs `work` once every task chained before it on `key` has settled, whatever their outcome: one at a time per key. */
export function chained<K, T>(
  chains: {get(key: K): Promise<unknown> | undefined; set(key: K, value: Promise<unknown>): unknown; delete(key: K): unknown},
  key: K,
  work: () => Promise<T>,
): Promise<T> {
  const next = (chains.get(key) ?? Promise.resolve()).then(work, work)
  const settled = next.catch(() => {})
  chains.set(key, settled)
  void settled.then(() => {
    if (chains.get(key) === settled) chains.delete(key)
  })
  return next
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > MAX_NAME_BYTES || name.includes('\0')) {
    throw new VaultError('bad_name', `vault names are 1–${MAX_NAME_BYTES} bytes without NUL`)
  }
}

/** `fn` with the file open; closed after, whatever happens. */
async function withFile<T>(path: string, flags: string | number, fn: (fh: FileHandle) => Promise<T>, mode?: number): Promise<T> {
  const fh = await openFile(path, flags, mode)
  try {
    return await fn(fh)
  } finally {
    await fh.close()
  }
}

async function writeAll(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0
  while (written < data.length) {
    const {bytesWritten} = await fh.write(data, written, data.length - written, position + written)
    written += bytesWritten
  }
}

function mapFsError(error: unknown): unknown {
  return isDiskFull(error) ? new VaultError('disk_full', "the instance's disk is full") : error
}

/** The instance's disk is full: the vault said so, or the OS did (ENOSPC, EDQUOT). */
export function isDiskFull(error: unknown): boolean {
  const code = (error as {code?: unknown} | null)?.code
  return (error instanceof VaultError && code === 'disk_full') || code === 'ENOSPC' || code === 'EDQUOT'
}
