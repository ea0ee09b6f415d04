import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {packStorage, unpackStorage} from '../../src/runtime/storage-archive.js'
import {tempDir} from '../helpers/tmp.js'

/** The drain's storage copy: exact round trip, and hostile archives write nothing outside. */
describe('storage archive', () => {
  const dirs: Array<{path: string; dispose(): void}> = []
  const fresh = () => {
    const d = tempDir('clawd-archive-')
    dirs.push(d)
    return d.path
  }
  afterEach(() => {
    for (const d of dirs.splice(0)) d.dispose()
  })

  const entry = (path: string, data: Buffer, mode = 0o600) => {
    const p = Buffer.from(path)
    const head = Buffer.alloc(14 + p.length)
    head.writeUInt16BE(p.length, 0)
    p.copy(head, 2)
    head.writeUInt32BE(mode, 2 + p.length)
    head.writeBigUInt64BE(BigInt(data.length), 6 + p.length)
    return Buffer.concat([head, data])
  }

  it('round-trips every file byte for byte, with owner-only modes', async () => {
    const src = fresh()
    mkdirSync(join(src, 'vault'), {mode: 0o700})
    writeFileSync(join(src, 'vault', 'a'), Buffer.from([0, 1, 2, 255]), {mode: 0o600})
    writeFileSync(join(src, 'top'), 'x'.repeat(100_000), {mode: 0o644})
    writeFileSync(join(src, 'vault', '.tmp-123'), 'half written')
    const target = join(fresh(), 'ins_copy')
    await unpackStorage(await packStorage(src), target)
    expect(readFileSync(join(target, 'vault', 'a'))).toEqual(Buffer.from([0, 1, 2, 255]))
    expect(readFileSync(join(target, 'top'), 'utf8')).toBe('x'.repeat(100_000))
    expect(existsSync(join(target, 'vault', '.tmp-123'))).toBe(false)
    expect(statSync(join(target, 'top')).mode & 0o077).toBe(0)
  })

  it('refuses paths that climb out or are absolute, truncated archives and foreign bytes, and leaves nothing', async () => {
    const root = fresh()
    const target = join(root, 'inner', 'ins_x')
    mkdirSync(join(root, 'inner'))
    const magic = Buffer.from('CLS1')
    for (const bad of [
      Buffer.concat([magic, entry('../escaped', Buffer.from('no'))]),
      Buffer.concat([magic, entry('a/../../escaped', Buffer.from('no'))]),
      Buffer.concat([magic, entry('/etc/escaped', Buffer.from('no'))]),
      Buffer.concat([magic, entry('ok', Buffer.from('data')).subarray(0, 18)]),
      Buffer.from('not an archive'),
    ]) {
      await expect(unpackStorage(bad, target)).rejects.toThrow()
      expect(existsSync(target)).toBe(false)
      expect(existsSync(join(root, 'escaped'))).toBe(false)
      expect(existsSync(join(root, 'inner', 'escaped'))).toBe(false)
    }
  })

  it('never writes into an existing directory', async () => {
    const target = fresh()
    writeFileSync(join(target, 'keep'), 'mine')
    const archive = Buffer.concat([Buffer.from('CLS1'), entry('keep', Buffer.from('theirs'))])
    await expect(unpackStorage(archive, target)).rejects.toThrow()
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('mine')
  })
})
