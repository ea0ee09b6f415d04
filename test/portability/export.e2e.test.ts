import {spawn} from 'node:child_process'
import {chmodSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {starterWorkspace} from '../../src/agent/workspace-defaults.js'
import {readWorkspaceTar} from '../../src/workspace/archive.js'
import {readWorkspaceDir} from '../../src/workspace/disk.js'
import type {TestUser} from '../helpers/auth.js'
import {BIN, json} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'
import {keyLikeString, startPortability, writeTree, type Portability} from './setup.js'

const FIVE = ['AGENTS.md', 'IDENTITY.md', 'MEMORY.md', 'SOUL.md', 'USER.md']

/** `clawd export` and `clawd config push|show|edit`: the built CLI against a real server. */
describe('workspace export and push (e2e)', () => {
  let p: Portability
  let alice: TestUser
  const tmp = tempDir('clawd-portability-')

  beforeAll(async () => {
    p = await startPortability(['--max-instances', '5', '--max-running', '5'])
    alice = await p.user()
  })
  afterAll(async () => {
    await p?.server.stop()
    tmp.dispose()
  })

  it('exports the five starter files of a new instance, and they pass every export rule', async () => {
    await p.instance(alice, 'fresh')
    const out = join(tmp.path, 'fresh-ws')
    const res = await p.cli(alice, ['export', '-i', 'fresh', '--out', out, '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(json(res)).toMatchObject({out, format: 'dir', files: FIVE, skipped: []})
    expect(readdirSync(out).sort()).toEqual(FIVE)
    const starter = starterWorkspace() as Record<string, string>
    for (const name of FIVE) expect(readFileSync(join(out, name), 'utf8')).toBe(starter[name])
    // The reader `config push` uses runs every rule: exact names, regular UTF-8 files, size,
    // frontmatter, BOOTSTRAP.md, the secret scan.
    const check = await readWorkspaceDir(out)
    expect(check.rejected).toEqual([])
    expect(check.skipped).toEqual([])
    expect(check.accepted.map((f) => f.path)).toEqual(FIVE)
  })

  it('never replaces a non-empty directory or an existing archive without --force; tar output is deterministic', async () => {
    await p.instance(alice, 'fresh')
    const dir = join(tmp.path, 'occupied')
    writeTree(dir, {'keep.txt': 'mine\n'})
    const refused = await p.cli(alice, ['export', '-i', 'fresh', '--out', dir])
    expect(refused.code).toBe(5)
    expect(refused.stderr).toMatch(/not empty/)
    expect(refused.stderr).toMatch(/--force/)
    expect(readdirSync(dir)).toEqual(['keep.txt'])
    const forced = await p.cli(alice, ['export', '-i', 'fresh', '--out', dir, '--force'])
    expect(forced.code, forced.stderr).toBe(0)
    expect(readdirSync(dir).sort()).toEqual(FIVE)
    // No temp directory or file is left beside the target.
    expect(readdirSync(tmp.path).filter((n) => n.includes('clawd-tmp') || n.includes('clawd-old'))).toEqual([])

    const a = join(tmp.path, 'a.tar')
    const b = join(tmp.path, 'b.tar')
    await expectExit(p.cli(alice, ['export', '-i', 'fresh', '--out', a]), 0)
    await expectExit(p.cli(alice, ['export', '-i', 'fresh', '--format', 'tar', '--out', b]), 0)
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true)
    const again = await p.cli(alice, ['export', '-i', 'fresh', '--out', a])
    expect(again.code).toBe(5)
    await expectExit(p.cli(alice, ['export', '-i', 'fresh', '--out', a, '--force']), 0)

    const piped = await p.cli(alice, ['export', '-i', 'fresh', '--out', '-'])
    expect(piped.code, piped.stderr).toBe(0)
    expect(Buffer.from(piped.stdout, 'utf8').equals(readFileSync(a))).toBe(true)
    const listed = readWorkspaceTar(readFileSync(a))
    expect(listed.accepted.map((f) => f.path)).toEqual(FIVE)
    expect(listed.rejected).toEqual([])

    const both = await p.cli(alice, ['export', '-i', 'fresh', '--out', '-', '--json'])
    expect(both.code).toBe(2)
    const dirToStdout = await p.cli(alice, ['export', '-i', 'fresh', '--out', '-', '--format', 'dir'])
    expect(dirToStdout.code).toBe(2)
  })

  it('round trip: export, push to a new instance, export again gives byte-identical archives', async () => {
    await p.instance(alice, 'origin')
    const custom = join(tmp.path, 'custom')
    writeTree(custom, {
      'AGENTS.md': '# Rules\n\n- Answer in French when asked in French.\n',
      'SOUL.md': '# Soul\n\nCurious, kind — and fond of ünïcödé, 日本語 and emoji 🦀.\n',
      'IDENTITY.md': '# Identity\n\n- Name: Pince\n',
      'USER.md': '# User\n\nLives in Lyon.\r\nWindows line ending above.\n',
      'MEMORY.md': '',
      'TOOLS.md': '# Tools\n\n- jq\n',
      'memory/2026-07-01.md': '# 1 July\n\nStarted the trip plan.\n',
      'memory/2026-07-02-trip-plans.md': '# 2 July\n\nBooked trains.\n',
      'memory/topics/trains.md': '- undated note\n',
      'BOOTSTRAP.md': '# Bootstrap\n\nAsk who you are.\n',
      'skills/weather/SKILL.md': '---\nname: weather\ndescription: Look up the weather.\n---\n# Weather\n',
      'skills/weather/scripts/fetch.sh': '#!/bin/sh\necho sunny\n',
      'notes.txt': 'not part of a workspace\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
    })
    const pushed = await p.cli(alice, ['config', 'push', custom, '-i', 'origin', '--json'])
    expect(pushed.code, pushed.stderr).toBe(0)
    const result = json(pushed)
    expect(result.applied).toEqual([
      'AGENTS.md',
      'BOOTSTRAP.md',
      'IDENTITY.md',
      'MEMORY.md',
      'SOUL.md',
      'TOOLS.md',
      'USER.md',
      'memory/2026-07-01.md',
      'memory/2026-07-02-trip-plans.md',
      'memory/topics/trains.md',
      'skills/weather/SKILL.md',
      'skills/weather/scripts/fetch.sh',
    ])
    expect(result.skipped.map((s: {path: string}) => s.path)).toEqual(['.git', 'notes.txt'])
    expect(result.rejected).toEqual([])

    for (const legacy of [[], ['--legacy']]) {
      const first = join(tmp.path, `first${legacy.join('')}.tar`)
      const dir = join(tmp.path, `first-dir${legacy.join('')}`)
      await expectExit(p.cli(alice, ['export', '-i', 'origin', '--out', first, ...legacy]), 0)
      await expectExit(p.cli(alice, ['export', '-i', 'origin', '--out', dir, ...legacy]), 0)
      const copy = `copy${legacy.length ? '-legacy' : ''}`
      await p.instance(alice, copy)
      const into = await p.cli(alice, ['config', 'push', dir, '-i', copy, '--json'])
      expect(into.code, into.stderr).toBe(0)
      // The new instance's starter files are replaced, not merged.
      expect(json(into).removed).toEqual([])
      const second = join(tmp.path, `second${legacy.join('')}.tar`)
      await expectExit(p.cli(alice, ['export', '-i', copy, '--out', second, ...legacy]), 0)
      expect(readFileSync(second).equals(readFileSync(first))).toBe(true)
      const names = readWorkspaceTar(readFileSync(first)).accepted.map((f) => f.path)
      expect(names).toEqual(result.applied)
      // File by file, the export is the pushed directory's bytes.
      for (const name of names) expect(readFileSync(join(dir, name)).equals(readFileSync(join(custom, name))), name).toBe(true)
    }
    // Through a pipe too: export to stdout, push from stdin.
    const piped = await p.cli(alice, ['export', '-i', 'origin', '--out', '-'])
    const fromPipe = await p.cli(alice, ['config', 'push', '-', '-i', 'copy', '--json'], {input: piped.stdout})
    expect(fromPipe.code, fromPipe.stderr).toBe(0)
  })

  it('config push refuses symlinks, non-UTF-8, oversize and case variants with reasons, changes nothing, and exits 2', async () => {
    await p.instance(alice, 'target')
    const before = await p.cli(alice, ['export', '-i', 'target', '--out', '-'])
    const bad = join(tmp.path, 'bad')
    writeTree(bad, {
      'AGENTS.md': '# fine\n',
      'IDENTITY.md': Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0a]),
      'USER.md': 'x'.repeat(2 * 1024 * 1024 + 1),
      'MEMORY.md': '---\ntitle: x\n---\nbody\n',
      'Memory/2026-07-01.md': 'note\n',
      'skills/tool.md': 'unknown\n',
    })
    writeFileSync(join(tmp.path, 'outside-secret.txt'), 'private\n')
    symlinkSync(join(tmp.path, 'outside-secret.txt'), join(bad, 'SOUL.md'))
    const res = await p.cli(alice, ['config', 'push', bad, '-i', 'target'])
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/SOUL\.md is a symbolic link/)
    expect(res.stderr).toMatch(/IDENTITY\.md is not valid UTF-8 .*line 1/)
    expect(res.stderr).toMatch(/USER\.md is 2\.0 MiB; the limit is 2\.0 MiB per file/)
    expect(res.stderr).not.toMatch(/MEMORY\.md/)
    expect(res.stderr).toMatch(/Memory: OpenClaw reads "memory\/" \(lower case\) only/)
    expect(res.stderr).toMatch(/Skipped skills/)
    expect(res.stderr).toMatch(/nothing was pushed/)
    const after = await p.cli(alice, ['export', '-i', 'target', '--out', '-'])
    expect(after.stdout).toBe(before.stdout)

    const asJson = json(await p.cli(alice, ['config', 'push', bad, '-i', 'target', '--json']))
    expect(asJson.error.code).toBe('workspace_rejected')
  })

  it('a key-like string is refused with its file and line, and the key is never printed', async () => {
    await p.instance(alice, 'target')
    const key = keyLikeString()
    const dir = join(tmp.path, 'leaky')
    writeTree(dir, {'AGENTS.md': '# ok\n', 'SOUL.md': `# Soul\n\nmy key is ${key} keep it\n`})
    const res = await p.cli(alice, ['config', 'push', dir, '-i', 'target'])
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/SOUL\.md line 3: this looks like an Anthropic API key \(sk-ant-\*\*\*\*\)/)
    expect(res.stdout + res.stderr).not.toContain(key)
    expect(res.stdout + res.stderr).not.toContain(key.slice(14))
  })

  it('config show lists the files and prints one exactly; unknown files exit 3', async () => {
    await p.instance(alice, 'fresh')
    const list = await p.cli(alice, ['config', 'show', '-i', 'fresh', '--json'])
    expect(list.code, list.stderr).toBe(0)
    expect(json(list).files.map((f: any) => f.path)).toEqual(FIVE)
    const soul = await p.cli(alice, ['config', 'show', 'SOUL.md', '-i', 'fresh'])
    expect(soul.code).toBe(0)
    expect(soul.stdout).toBe(starterWorkspace()['SOUL.md'])
    const human = await p.cli(alice, ['config', 'show', '-i', 'fresh'])
    expect(human.stdout).toMatch(/SOUL\.md/)
    const missing = await p.cli(alice, ['config', 'show', 'TOOLS.md', '-i', 'fresh', '--json'])
    expect(missing.code).toBe(3)
    expect(json(missing).error.hint).toMatch(/SOUL\.md/)
  })

  it('config edit needs a terminal, and on one opens $EDITOR and pushes the change', async () => {
    await p.instance(alice, 'target')
    const noTty = await p.cli(alice, ['config', 'edit', 'SOUL.md', '-i', 'target'])
    expect(noTty.code).toBe(2)
    expect(noTty.stderr).toMatch(/needs a terminal/)
    expect(noTty.stderr).toMatch(/config show/)

    if (!existsSync('/usr/bin/script')) return
    const editor = join(tmp.path, 'editor.sh')
    writeFileSync(editor, '#!/bin/sh\nprintf "Edited in a terminal.\\n" >> "$1"\n')
    chmodSync(editor, 0o755)
    const res = await inTerminal([BIN, 'config', 'edit', 'SOUL.md', '-i', 'target'], {...p.env(alice), EDITOR: editor})
    expect(res.code, res.output).toBe(0)
    expect(res.output).toMatch(/Updated SOUL\.md on target/)
    const soul = await p.cli(alice, ['config', 'show', 'SOUL.md', '-i', 'target'])
    expect(soul.stdout).toBe(starterWorkspace()['SOUL.md'] + 'Edited in a terminal.\n')

    // An edit that breaks a rule is not pushed, and the copy is kept.
    const leak = join(tmp.path, 'leak.sh')
    writeFileSync(leak, `#!/bin/sh\nprintf "${keyLikeString()}\\n" >> "$1"\n`)
    chmodSync(leak, 0o755)
    const refused = await inTerminal([BIN, 'config', 'edit', 'SOUL.md', '-i', 'target'], {...p.env(alice), EDITOR: leak})
    expect(refused.code).toBe(2)
    const keyLine = soul.stdout.split('\n').length
    expect(refused.output).toContain(`SOUL.md line ${keyLine}: this looks like an Anthropic API key`)
    const kept = /Your edited copy is at (\S+);/.exec(refused.output)?.[1]
    expect(kept && existsSync(kept)).toBe(true)
    rmSync(dirname(kept!), {recursive: true, force: true})
    expect((await p.cli(alice, ['config', 'show', 'SOUL.md', '-i', 'target'])).stdout).toBe(soul.stdout)
  })
})

/** Runs the CLI under a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
function inTerminal(argv: string[], env: NodeJS.ProcessEnv): Promise<{code: number | null; output: string}> {
  const command = [process.execPath, ...argv].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', TERM: 'dumb', ...env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`timed out under script: ${output}`))
    }, 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, output})
    })
  })
}

async function expectExit(run: ReturnType<Portability['cli']>, code: number): Promise<void> {
  const res = await run
  expect(res.code, `exit ${res.code}\nstdout: ${res.stdout.slice(0, 2000)}\nstderr: ${res.stderr}`).toBe(code)
}
