import {lstat, mkdir, readdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {dirname, join, normalize, sep} from 'node:path'

/**
 * An instance's storage as one byte string, to move it between hosts (drain). It carries the
 * files as they are on disk, which for an agent's vault is ciphertext under the instance's data
 * key: nothing here decrypts, and nothing but the owning server can.
 *
 * Format: "CLS1" | entry* ; entry = u16be pathLength | path (utf8, relative, '/') | u32be mode |
 * u64be size | bytes. Regular files only (sockets and temp files are the running agent's).
 */
const MAGIC = Buffer.from('CLS1')
const MAX_PATH = 1024

export async function packStorage(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [MAGIC]
  const walk = async (rel: string) => {
    for (const entry of await readdir(join(dir, rel), {withFileTypes: true})) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) await walk(relPath)
      else if (entry.isFile() && !entry.name.startsWith('.tmp-')) {
        const full = join(dir, relPath)
        const [data, info] = await Promise.all([readFile(full), lstat(full)])
        const path = Buffer.from(relPath)
        const head = Buffer.alloc(2 + path.length + 4 + 8)
        head.writeUInt16BE(path.length, 0)
        path.copy(head, 2)
        head.writeUInt32BE(info.mode & 0o777, 2 + path.length)
        head.writeBigUInt64BE(BigInt(data.length), 6 + path.length)
        parts.push(head, data)
      }
    }
  }
  await walk('')
  return Buffer.concat(parts)
}

/**
 * Writes a packed storage into `dir`, which must not exist yet: it is built beside it and renamed
 * into place, so a copy cut halfway leaves nothing that looks like an instance.
 */
export async function unpackStorage(bytes: Buffer, dir: string): Promise<void> {
  if (bytes.length < 4 || !bytes.subarray(0, 4).equals(MAGIC)) throw new Error('not a storage archive')
  const staging = `${dir}.incoming`
  await rm(staging, {recursive: true, force: true})
  await mkdir(staging, {recursive: true, mode: 0o700})
  let at = 4
  try {
    while (at < bytes.length) {
      const pathLength = bytes.readUInt16BE(at)
      if (pathLength === 0 || pathLength > MAX_PATH) throw new Error('bad path length')
      const rel = bytes.subarray(at + 2, at + 2 + pathLength).toString('utf8')
      const mode = bytes.readUInt32BE(at + 2 + pathLength) & 0o700
      const size = Number(bytes.readBigUInt64BE(at + 6 + pathLength))
      at += 14 + pathLength
      if (at + size > bytes.length) throw new Error('truncated archive')
      const clean = normalize(rel)
      if (clean.startsWith('..') || clean.startsWith(sep) || clean.includes('\0') || clean !== rel) throw new Error('unsafe path in archive')
      const target = join(staging, clean)
      await mkdir(dirname(target), {recursive: true, mode: 0o700})
      await writeFile(target, bytes.subarray(at, at + size), {mode: mode || 0o600, flag: 'wx'})
      at += size
    }
    await rename(staging, dir)
  } catch (error) {
    await rm(staging, {recursive: true, force: true})
    throw error
  }
}
