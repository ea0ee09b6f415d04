import {execFileSync} from 'node:child_process'
import {mkdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {pushWorkspaceResponseSchema, WORKSPACE_LIMITS, workspaceSchema, type WorkspaceFile} from '../../src/contract/workspace.js'
import {readWorkspaceDir} from '../../src/workspace/disk.js'
import {planExport, pushResponse, validateWorkspace} from '../../src/workspace/validate.js'
import {tempDir} from '../helpers/tmp.js'
import {base62, stubs, validWorkspace, writeTree} from './fixtures.js'

/**
 * One conformance test per export rule of DESIGN §5. Each starts from a workspace that passes
 * everything, breaks exactly one rule, and expects exactly one rejection, with that rule's code,
 * naming that file; every other file stays accepted.
 */

function replace(files: WorkspaceFile[], path: string, content: string): WorkspaceFile[] {
  return files.map((f) => (f.path === path ? {path, content} : f))
}

function expectOnlyRejection(result: {accepted: WorkspaceFile[]; rejected: Array<{path: string; code: string; message: string; line?: number}>}, path: string, code: string) {
  expect(result.rejected).toHaveLength(1)
  const [r] = result.rejected
  expect(r).toMatchObject({path, code})
  expect(r!.message).toContain(path)
  expect(result.accepted.map((f) => f.path)).not.toContain(path)
  return r!
}

describe('the base workspace', () => {
  it('passes every rule, so each test below breaks only its own', () => {
    const plan = planExport(validWorkspace())
    expect(plan).toMatchObject({ok: true, skipped: []})
    if (plan.ok) expect(plan.files.map((f) => f.path)).toEqual(['AGENTS.md', 'IDENTITY.md', 'MEMORY.md', 'SOUL.md', 'USER.md', 'memory/2026-07-01.md', 'memory/2026-07-02-trip-plans.md'])
  })
})

describe('export rules on {path, content} (the API and the CLI run the same function)', () => {
  it('rule: exact-case names (soul.md instead of SOUL.md is refused)', () => {
    const files = validWorkspace().map((f) => (f.path === 'SOUL.md' ? {...f, path: 'soul.md'} : f))
    const plan = planExport(files)
    expect(plan.ok).toBe(false)
    expectOnlyRejection(validateWorkspace(files), 'soul.md', 'case-variant')
  })

  it('rule: UTF-8 text (a lone surrogate cannot be written as UTF-8)', () => {
    const files = replace(validWorkspace(), 'USER.md', 'line one\nbroken \uD800 here\n')
    const r = expectOnlyRejection(validateWorkspace(files), 'USER.md', 'invalid-utf8')
    expect(r.line).toBe(2)
  })

  it('rule: text files (a NUL byte is refused, with its line)', () => {
    const files = replace(validWorkspace(), 'MEMORY.md', 'a\nb\nc\0d\n')
    const r = expectOnlyRejection(validateWorkspace(files), 'MEMORY.md', 'nul-byte')
    expect(r.line).toBe(3)
  })

  it('rule: UTF-8 without a byte order mark', () => {
    const files = replace(validWorkspace(), 'IDENTITY.md', '\uFEFF# IDENTITY.md\n')
    expectOnlyRejection(validateWorkspace(files), 'IDENTITY.md', 'bom')
  })

  it('rule: each file at most 2 MiB (one byte more is refused; exactly 2 MiB passes)', () => {
    const limit = WORKSPACE_LIMITS.maxFileBytes
    const atLimit = replace(validWorkspace(), 'MEMORY.md', `${'é'.repeat((limit - 2) / 2)}\n\n`)
    expect(Buffer.byteLength(atLimit.find((f) => f.path === 'MEMORY.md')!.content)).toBe(limit)
    expect(validateWorkspace(atLimit).rejected).toEqual([])

    const over = replace(validWorkspace(), 'MEMORY.md', `${'é'.repeat((limit - 2) / 2)}\n\n!`)
    const r = expectOnlyRejection(validateWorkspace(over), 'MEMORY.md', 'too-large')
    expect(r.message).toMatch(/2\.0 MiB/)
  })

  it('rule: YAML frontmatter is kept as is (OpenClaw injects it, skills need it)', () => {
    const files = replace(validWorkspace(), 'SOUL.md', '---\ntitle: soul\nsummary: x\n---\n# SOUL.md\n')
    const plan = planExport(files)
    expect(plan.ok).toBe(true)
    if (plan.ok) expect(plan.files.find((f) => f.path === 'SOUL.md')?.content).toBe('---\ntitle: soul\nsummary: x\n---\n# SOUL.md\n')
  })

  it('rule: BOOTSTRAP.md is kept and exported (OpenClaw loads it until the agent deletes it)', () => {
    const plan = planExport([...validWorkspace(), {path: 'BOOTSTRAP.md', content: '# BOOTSTRAP.md\n\nHello, world.\n'}])
    expect(plan.ok).toBe(true)
    if (plan.ok) expect(plan.files.map((f) => f.path)).toContain('BOOTSTRAP.md')
  })

  it('rule: the secret scan refuses a key-like string and names the file and line, never the key', () => {
    const key = `sk-ant-api03-${base62(93)}AA`
    const files = replace(validWorkspace(), 'AGENTS.md', `# AGENTS.md\n\nUse this:\n${key}\n`)
    const plan = planExport(files)
    expect(plan.ok).toBe(false)
    const r = expectOnlyRejection(validateWorkspace(files), 'AGENTS.md', 'secret')
    expect(r.line).toBe(4)
    expect(r.message).toContain('AGENTS.md line 4')
    expect(r.message).toContain('sk-ant-****')
    expect(r.message).not.toContain(key.slice(13, 21))
    expect(JSON.stringify(plan)).not.toContain(key.slice(13))
  })

  it('all problems are reported at once, not only the first', () => {
    const files = [
      ...replace(replace(validWorkspace(), 'SOUL.md', '\uFEFFbom'), 'USER.md', `token ghp_${base62(36)}\n`),
      ...stubs('bootstrap.md', '../escape.md'),
    ]
    const plan = planExport(files)
    expect(plan.ok).toBe(false)
    if (!plan.ok) expect(plan.rejected.map((r) => `${r.path}:${r.code}`).sort()).toEqual(['../escape.md:traversal', 'SOUL.md:bom', 'USER.md:secret', 'bootstrap.md:case-variant'])
  })

  it('lists unknown names as skipped, and the export goes on without them', () => {
    const plan = planExport([...validWorkspace(), {path: 'README.md', content: 'hi'}, {path: 'TOOLS.md', content: 'tools'}])
    expect(plan.ok).toBe(true)
    expect(plan.skipped).toMatchObject([{path: 'README.md', code: 'unknown-name'}])
  })

  it('rule: TOOLS.md and HEARTBEAT.md are exported as the user had them, and --legacy makes up nothing', () => {
    const files = [...validWorkspace(), {path: 'TOOLS.md', content: '# TOOLS.md\n\nssh host: pi\n'}]
    for (const legacy of [false, true]) {
      const plan = planExport(files)
      expect(plan.ok).toBe(true)
      if (!plan.ok) return
      expect(plan.files.find((f) => f.path === 'TOOLS.md')?.content).toBe('# TOOLS.md\n\nssh host: pi\n')
      expect(plan.files.map((f) => f.path)).not.toContain('HEARTBEAT.md')
    }
  })

  it('refuses duplicates: which copy was meant is unknowable', () => {
    const files = [...validWorkspace(), {path: 'SOUL.md', content: 'other'}]
    const check = validateWorkspace(files)
    expect(check.rejected).toMatchObject([{path: 'SOUL.md', code: 'duplicate'}])
    expect(check.accepted.map((f) => f.path)).not.toContain('SOUL.md')
  })

  it('enforces the file count and total size limits of the workspace', () => {
    const many: WorkspaceFile[] = []
    const day = new Date(Date.UTC(2020, 0, 1))
    for (let i = 0; i < WORKSPACE_LIMITS.maxFiles + 3; i++) {
      const d = new Date(day.getTime() + i * 86_400_000).toISOString().slice(0, 10)
      many.push({path: `memory/${d}.md`, content: 'x'})
    }
    const check = validateWorkspace(many)
    expect(check.accepted).toHaveLength(WORKSPACE_LIMITS.maxFiles)
    expect(check.rejected).toHaveLength(3)
    expect(check.rejected.every((r) => r.code === 'too-many-files')).toBe(true)

    const big = 'a'.repeat(WORKSPACE_LIMITS.maxFileBytes)
    const heavy = Array.from({length: 12}, (_, i) => ({path: `memory/2026-01-${String(i + 1).padStart(2, '0')}.md`, content: big}))
    const heavyCheck = validateWorkspace(heavy)
    expect(heavyCheck.accepted).toHaveLength(Math.floor(WORKSPACE_LIMITS.maxTotalBytes / WORKSPACE_LIMITS.maxFileBytes))
    expect(heavyCheck.rejected.every((r) => r.code === 'workspace-too-large')).toBe(true)
  })
})

describe('export rules on a directory (config push DIR reads it the same way)', () => {
  let dir: {path: string; dispose: () => void}
  beforeEach(() => {
    dir = tempDir('clawd-ws-')
    writeTree(dir.path, validWorkspace())
  })
  afterEach(() => dir.dispose())

  it('the base directory passes', async () => {
    const check = await readWorkspaceDir(dir.path)
    expect(check.rejected).toEqual([])
    expect(check.accepted).toEqual([...validWorkspace()].sort((a, b) => (a.path < b.path ? -1 : 1)))
  })

  it('rule: no symlinks (SOUL.md pointing at a file outside is refused, and not read)', async () => {
    const outside = join(dir.path, '..', `outside-${process.pid}-${Date.now()}.md`)
    writeFileSync(outside, 'SECRET CONTENT\n')
    execFileSync('rm', [join(dir.path, 'SOUL.md')])
    symlinkSync(outside, join(dir.path, 'SOUL.md'))
    const check = await readWorkspaceDir(dir.path)
    expectOnlyRejection(check, 'SOUL.md', 'symlink')
    expect(JSON.stringify(check)).not.toContain('SECRET CONTENT')
    execFileSync('rm', [outside])
  })

  it('rule: no symlinks (a symlinked memory/ directory is refused, not entered)', async () => {
    execFileSync('mv', [join(dir.path, 'memory'), join(dir.path, 'real-memory')])
    symlinkSync('real-memory', join(dir.path, 'memory'))
    const check = await readWorkspaceDir(dir.path)
    expect(check.rejected).toMatchObject([{path: 'memory', code: 'symlink'}])
    expect(check.accepted.some((f) => f.path.startsWith('memory/'))).toBe(false)
  })

  it('rule: regular files only (a FIFO named USER.md is refused without blocking on it)', async () => {
    execFileSync('rm', [join(dir.path, 'USER.md')])
    execFileSync('mkfifo', [join(dir.path, 'USER.md')])
    expectOnlyRejection(await readWorkspaceDir(dir.path), 'USER.md', 'not-regular')
  })

  it('rule: regular files only (a directory named MEMORY.md is refused)', async () => {
    execFileSync('rm', [join(dir.path, 'MEMORY.md')])
    mkdirSync(join(dir.path, 'MEMORY.md'))
    expectOnlyRejection(await readWorkspaceDir(dir.path), 'MEMORY.md', 'not-regular')
  })

  it('rule: UTF-8 (Latin-1 bytes are refused with the line of the first bad byte)', async () => {
    writeFileSync(join(dir.path, 'USER.md'), Buffer.concat([Buffer.from('# USER.md\n\nCaf'), Buffer.from([0xe9]), Buffer.from('\n')]))
    const r = expectOnlyRejection(await readWorkspaceDir(dir.path), 'USER.md', 'invalid-utf8')
    expect(r.line).toBe(3)
  })

  it('rule: UTF-8 (overlong encodings and encoded surrogates are refused)', async () => {
    writeFileSync(join(dir.path, 'USER.md'), Buffer.from([0x41, 0xc0, 0xaf]))
    writeFileSync(join(dir.path, 'SOUL.md'), Buffer.from([0x41, 0xed, 0xa0, 0x80]))
    const check = await readWorkspaceDir(dir.path)
    expect(check.rejected.map((r) => `${r.path}:${r.code}`)).toEqual(['SOUL.md:invalid-utf8', 'USER.md:invalid-utf8'])
  })

  it('rule: at most 2 MiB (an oversize file is refused without being read whole)', async () => {
    writeFileSync(join(dir.path, 'MEMORY.md'), Buffer.alloc(WORKSPACE_LIMITS.maxFileBytes + 1, 0x61))
    expectOnlyRejection(await readWorkspaceDir(dir.path), 'MEMORY.md', 'too-large')
  })

  it('rule: frontmatter and BOOTSTRAP.md are read as they are', async () => {
    writeFileSync(join(dir.path, 'AGENTS.md'), '---\nname: x\n---\nbody\n')
    writeFileSync(join(dir.path, 'BOOTSTRAP.md'), '# BOOTSTRAP.md\n')
    const check = await readWorkspaceDir(dir.path)
    expect(check.rejected).toEqual([])
    expect(check.accepted.find((f) => f.path === 'AGENTS.md')?.content).toBe('---\nname: x\n---\nbody\n')
    expect(check.accepted.map((f) => f.path)).toContain('BOOTSTRAP.md')
  })

  it('rule: exact-case names', async () => {
    writeFileSync(join(dir.path, 'Memory.md'), 'x')
    expect((await readWorkspaceDir(dir.path)).rejected).toMatchObject([{path: 'Memory.md', code: 'case-variant'}])
  })

  it('rule: secret scan, with file and line', async () => {
    writeFileSync(join(dir.path, 'memory', '2026-07-03.md'), `ok\nok\nexport AWS_ACCESS_KEY_ID=AKIA${base62(16).toUpperCase()}\n`)
    const r = expectOnlyRejection(await readWorkspaceDir(dir.path), 'memory/2026-07-03.md', 'secret')
    expect(r.line).toBe(3)
    expect(r.message).toContain('memory/2026-07-03.md line 3')
  })

  it('rule: enters memory/ and skills/ at any depth; skips and names .git and other entries', async () => {
    writeTree(dir.path, [
      ...stubs('README.md', '.git/config', 'canvas/index.html'),
      {path: 'skills/foo/SKILL.md', content: '---\nname: foo\ndescription: d\n---\n'},
      {path: 'skills/foo/scripts/run.sh', content: 'echo hi\n'},
      ...stubs('memory/notes.md', 'memory/archive/2026-01-01.md', 'memory/image.txt'),
    ])
    symlinkSync('/etc/passwd', join(dir.path, 'passwd-link'))
    const check = await readWorkspaceDir(dir.path)
    expect(check.rejected).toEqual([])
    expect(check.skipped.map((s) => s.path)).toEqual(['.git', 'README.md', 'canvas', 'memory/image.txt', 'passwd-link'])
    expect(check.accepted.map((f) => f.path)).toEqual(
      expect.arrayContaining(['memory/archive/2026-01-01.md', 'memory/notes.md', 'skills/foo/SKILL.md', 'skills/foo/scripts/run.sh']),
    )
  })

  it('rule: no links, even inside skills/ and memory/, and not skills/ itself', async () => {
    writeTree(dir.path, [{path: 'skills/foo/SKILL.md', content: 'x'}])
    symlinkSync('/etc/passwd', join(dir.path, 'skills', 'foo', 'notes.md'))
    symlinkSync('/etc/passwd', join(dir.path, 'memory', 'leak.md'))
    const check = await readWorkspaceDir(dir.path)
    expect(check.rejected.map((r) => `${r.path}:${r.code}`).sort()).toEqual(['memory/leak.md:symlink', 'skills/foo/notes.md:symlink'])
    rmSync(join(dir.path, 'skills'), {recursive: true})
    symlinkSync('/etc', join(dir.path, 'skills'))
    expect((await readWorkspaceDir(dir.path)).rejected.map((r) => `${r.path}:${r.code}`)).toContain('skills:symlink')
  })

  it('refuses a path that is not a directory, with a hint', async () => {
    await expect(readWorkspaceDir(join(dir.path, 'SOUL.md'))).rejects.toMatchObject({code: 'not-a-directory'})
    await expect(readWorkspaceDir(join(dir.path, 'nope'))).rejects.toMatchObject({code: 'not-found'})
  })
})

describe('wire shapes', () => {
  it('a push body parses strictly, and the push answer lists every path in exactly one list', () => {
    const body = {files: [...validWorkspace(), {path: 'README.md', content: 'x'}, {path: '../x', content: 'x'}]}
    expect(workspaceSchema.safeParse(body).success).toBe(true)
    expect(workspaceSchema.safeParse({...body, extra: 1}).success).toBe(false)
    expect(workspaceSchema.safeParse({files: [{path: 'SOUL.md', content: 'x', mode: 0o777}]}).success).toBe(false)
    const answer = pushWorkspaceResponseSchema.parse(pushResponse(validateWorkspace(body.files)))
    const all = [...answer.applied, ...answer.skipped.map((s) => s.path), ...answer.rejected.map((r) => r.path)].sort()
    expect(all).toEqual(body.files.map((f) => f.path).sort())
    expect(answer.skipped).toMatchObject([{path: 'README.md', code: 'unknown-name'}])
    expect(answer.rejected).toMatchObject([{path: '../x', code: 'traversal'}])
  })
})
