import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {workspaceTar} from '../../src/workspace/archive.js'
import {readWorkspaceDir, WorkspaceDirError, writeWorkspaceDir, type WriteOps} from '../../src/workspace/disk.js'
import {planExport} from '../../src/workspace/validate.js'
import {tempDir} from '../helpers/tmp.js'
import {validWorkspace} from './fixtures.js'

let tmp: {path: string; dispose: () => void}
beforeEach(() => {
  tmp = tempDir('clawd-ws-write-')
})
afterEach(() => tmp.dispose())

/** Everything in the temp dir, so a test sees any leftover temporary directory. */
const listing = () => readdirSync(tmp.path).sort()

function failingOps(failOnCall: number): WriteOps & {calls: number} {
  const ops = {
    calls: 0,
    async writeFile(path: string, data: Uint8Array) {
      ops.calls++
      if (ops.calls === failOnCall) throw Object.assign(new Error('no space left on device'), {code: 'ENOSPC'})
      writeFileSync(path, data, {flag: 'wx'})
    },
  }
  return ops
}

describe('writeWorkspaceDir', () => {
  it('writes every file with its exact bytes, 0644 files and 0755 directories', async () => {
    const out = join(tmp.path, 'export')
    await writeWorkspaceDir(validWorkspace(), out)
    for (const f of validWorkspace()) expect(readFileSync(join(out, f.path), 'utf8')).toBe(f.content)
    const mode = statSync(join(out, 'SOUL.md')).mode & 0o777
    expect(mode & 0o600).toBe(0o600) // 0644 less the umask: readable and writable by the owner,
    expect(mode & 0o133).toBe(0) // never executable, never writable by others
    expect(statSync(join(out, 'memory')).isDirectory()).toBe(true)
    expect(listing()).toEqual(['export'])
  })

  it('creates missing parent directories', async () => {
    const out = join(tmp.path, 'a', 'b', 'export')
    await writeWorkspaceDir(validWorkspace(), out)
    expect(existsSync(join(out, 'AGENTS.md'))).toBe(true)
  })

  it('writes into an existing empty directory', async () => {
    const out = join(tmp.path, 'export')
    mkdirSync(out)
    await writeWorkspaceDir(validWorkspace(), out)
    expect(readdirSync(out).sort()).toEqual(['AGENTS.md', 'IDENTITY.md', 'MEMORY.md', 'SOUL.md', 'USER.md', 'memory'])
  })

  it('refuses a non-empty directory without force, and leaves it untouched', async () => {
    const out = join(tmp.path, 'export')
    mkdirSync(out)
    writeFileSync(join(out, 'keep.txt'), 'mine')
    const err = await writeWorkspaceDir(validWorkspace(), out).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WorkspaceDirError)
    expect(err).toMatchObject({code: 'not-empty'})
    expect((err as WorkspaceDirError).message).toContain(out)
    expect((err as WorkspaceDirError).hint).toMatch(/--force/)
    expect(readdirSync(out)).toEqual(['keep.txt'])
    expect(listing()).toEqual(['export'])
  })

  it('with force, replaces the directory as a whole: no old file survives', async () => {
    const out = join(tmp.path, 'export')
    mkdirSync(join(out, 'memory'), {recursive: true})
    writeFileSync(join(out, 'old.txt'), 'old')
    writeFileSync(join(out, 'memory', '2020-01-01.md'), 'old note')
    await writeWorkspaceDir(validWorkspace(), out, {force: true})
    expect(existsSync(join(out, 'old.txt'))).toBe(false)
    expect(existsSync(join(out, 'memory', '2020-01-01.md'))).toBe(false)
    expect(readFileSync(join(out, 'SOUL.md'), 'utf8')).toBe(validWorkspace().find((f) => f.path === 'SOUL.md')!.content)
    expect(listing()).toEqual(['export'])
  })

  it('refuses a target that is a file or a symlink, even with force', async () => {
    writeFileSync(join(tmp.path, 'file'), 'x')
    mkdirSync(join(tmp.path, 'real'))
    symlinkSync(join(tmp.path, 'real'), join(tmp.path, 'link'))
    await expect(writeWorkspaceDir(validWorkspace(), join(tmp.path, 'file'), {force: true})).rejects.toMatchObject({code: 'not-a-directory'})
    await expect(writeWorkspaceDir(validWorkspace(), join(tmp.path, 'link'), {force: true})).rejects.toMatchObject({code: 'not-a-directory'})
    expect(readFileSync(join(tmp.path, 'file'), 'utf8')).toBe('x')
  })

  it('leaves no partial directory when a write fails (new target)', async () => {
    const out = join(tmp.path, 'export')
    const ops = failingOps(3)
    const err = await writeWorkspaceDir(validWorkspace(), out, {ops}).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'write-failed'})
    expect((err as Error).message).toMatch(/no space left/)
    expect(ops.calls).toBe(3)
    expect(listing()).toEqual([])
  })

  it('leaves the old directory intact when a forced write fails', async () => {
    const out = join(tmp.path, 'export')
    mkdirSync(out)
    writeFileSync(join(out, 'SOUL.md'), 'the old soul')
    await expect(writeWorkspaceDir(validWorkspace(), out, {force: true, ops: failingOps(5)})).rejects.toMatchObject({code: 'write-failed'})
    expect(readdirSync(out)).toEqual(['SOUL.md'])
    expect(readFileSync(join(out, 'SOUL.md'), 'utf8')).toBe('the old soul')
    expect(listing()).toEqual(['export'])
  })

  it('refuses files that break the rules instead of writing them (defence in depth)', async () => {
    const out = join(tmp.path, 'export')
    for (const bad of [{path: '../escape.md', content: 'x'}, {path: 'bootstrap.md', content: 'x'}, {path: 'SOUL.md', content: '\uFEFFbom'}, {path: 'notes.txt', content: 'x'}]) {
      await expect(writeWorkspaceDir([...validWorkspace(), bad], out)).rejects.toMatchObject({code: 'invalid-workspace'})
    }
    expect(listing()).toEqual([])
    expect(existsSync(join(tmp.path, '..', 'escape.md'))).toBe(false)
  })
})

describe('export and push round trip on disk', () => {
  it('export, read back as a push would, export again: byte-identical archives', async () => {
    const first = planExport(validWorkspace())
    expect(first.ok).toBe(true)
    if (!first.ok) return
    const out = join(tmp.path, 'export')
    await writeWorkspaceDir(first.files, out)
    const pushed = await readWorkspaceDir(out)
    expect(pushed.rejected).toEqual([])
    expect(pushed.skipped).toEqual([])
    const second = planExport(pushed.accepted)
    expect(second.ok).toBe(true)
    if (!second.ok) return
    expect(workspaceTar(second.files).equals(workspaceTar(first.files))).toBe(true)
  })
})
