import {randomBytes} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'

/**
 * The CLI's own file-system edges, end to end with the built `clawd`: `config push DIR` never
 * follows a link out of the workspace (nor hangs on a FIFO or /dev/zero), and `export --out`
 * never writes through a link someone planted where the export goes.
 */
describe('clawd config push and export with links planted in the way (e2e)', () => {
  let server: ServerProcess
  let user: TestUser
  const tmp = tempDir('clawd-links-')
  const canary = `canary-${randomBytes(8).toString('hex')}`
  const cli = (args: string[]) =>
    runCli(args, {env: {CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(tmp.path, 'cli')}, timeoutMs: 60_000})
  const exported = async () => (await cli(['export', '-i', 'linked', '--out', '-'])).stdout

  beforeAll(async () => {
    server = await startServerProcess()
    user = await newUser({url: server.url, adminSocket: join(server.dataDir, 'admin.sock')})
    const created = await cli(['instance', 'create', 'linked', '--wait', '--json'])
    expect(created.code, created.stderr).toBe(0)
  })
  afterAll(async () => {
    await server?.stop()
    tmp.dispose()
  })

  it('config push refuses links out of the workspace (files, memory/, loops) and special files, uploads none of it, and never hangs', async () => {
    const outside = join(tmp.path, 'outside')
    mkdirSync(join(outside, 'memory'), {recursive: true})
    writeFileSync(join(outside, 'secret.md'), `# ${canary}\n`)
    writeFileSync(join(outside, 'memory', '2026-01-01.md'), `# ${canary}\n`)
    const before = await exported()

    const cases: Record<string, (dir: string) => void> = {
      'SOUL.md links to a file outside': (dir) => symlinkSync(join(outside, 'secret.md'), join(dir, 'SOUL.md')),
      'memory/ links to a directory outside': (dir) => symlinkSync(join(outside, 'memory'), join(dir, 'memory')),
      'memory/ links to itself (a loop)': (dir) => symlinkSync('.', join(dir, 'memory')),
      'a daily note links outside': (dir) => {
        mkdirSync(join(dir, 'memory'))
        symlinkSync(join(outside, 'memory', '2026-01-01.md'), join(dir, 'memory', '2026-01-01.md'))
      },
      'USER.md is a FIFO nobody writes to': (dir) => execFileSync('mkfifo', [join(dir, 'USER.md')]),
      'MEMORY.md links to /dev/zero': (dir) => symlinkSync('/dev/zero', join(dir, 'MEMORY.md')),
      'IDENTITY.md links to a path with ..': (dir) => symlinkSync(join('..', 'outside', 'secret.md'), join(dir, 'IDENTITY.md')),
    }
    for (const [what, plant] of Object.entries(cases)) {
      const dir = join(tmp.path, `push-${Object.keys(cases).indexOf(what)}`)
      mkdirSync(dir)
      writeFileSync(join(dir, 'AGENTS.md'), '# fine\n')
      plant(dir)
      const res = await cli(['config', 'push', dir, '-i', 'linked', '--json'])
      expect(res.code, `${what}: ${res.stdout} ${res.stderr}`).toBe(2)
      expect(json(res).error.code, what).toBe('workspace_rejected')
      expect(res.stdout + res.stderr, what).not.toContain(canary)
    }
    expect(await exported()).toBe(before)
  })

  it('export --out writes no byte through a link planted in the target, with or without --force', async () => {
    const victimDir = join(tmp.path, 'victim-dir')
    mkdirSync(victimDir)
    const victim = join(tmp.path, 'victim.md')
    writeFileSync(victim, 'precious\n')

    // A directory target holding links where the export's files would go.
    const target = join(tmp.path, 'export-here')
    mkdirSync(target)
    symlinkSync(victim, join(target, 'SOUL.md'))
    symlinkSync(victimDir, join(target, 'memory'))
    const refused = await cli(['export', '-i', 'linked', '--out', target])
    expect(refused.code, refused.stderr).not.toBe(0)
    const forced = await cli(['export', '-i', 'linked', '--out', target, '--force'])
    expect(forced.code, forced.stderr).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    expect(readdirSync(victimDir)).toEqual([])

    // A tar target that is a link to someone else's file.
    const tarLink = join(tmp.path, 'out.tar')
    symlinkSync(victim, tarLink)
    expect((await cli(['export', '-i', 'linked', '--out', tarLink])).code).not.toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    const forcedTar = await cli(['export', '-i', 'linked', '--out', tarLink, '--force'])
    expect(forcedTar.code, forcedTar.stderr).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
  })
})
