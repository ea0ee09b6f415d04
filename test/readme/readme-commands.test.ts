import {chmodSync, mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {packageRoot} from '../../src/paths.js'
import {newUser} from '../helpers/auth.js'
import {tempDir} from '../helpers/tmp.js'
import {freshClone, killGroup, markedBlocks, runBlock, startBlock, waitForApi} from './readme-blocks.js'
import {freePort} from '../helpers/port.js'

/**
 * The block the harness checks itself against: the shape of what the README marks (a server in the
 * background, then a first session), written exactly as a README would.
 */
const SAMPLE = `# sample

## Real use

<!-- readme-test: server -->
\`\`\`sh
clawd server start                       # http://127.0.0.1:7420, data in ~/.local/share/clawd/server
\`\`\`

Not marked, so not run:

\`\`\`sh
clawd login --api http://127.0.0.1:7420
\`\`\`

<!-- readme-test -->
\`\`\`sh
clawd instance create my-agent --wait
clawd chat -m "Hello" --model dev/echo
clawd sessions list
clawd logs --since 1h
\`\`\`

## Another section

<!-- readme-test -->
\`\`\`sh
false
\`\`\`
`

/**
 * Issue 16 item 6: the README's "Real use" commands, as written, in a fresh clone of HEAD with
 * `clawd` on PATH the way `npm link` puts it there. Bounded: each block has a time limit, servers
 * are stopped as a process group.
 */
describe('issue 16 item 6: the README’s Real use commands run verbatim in a fresh clone', () => {
  const tmp = tempDir('clawd-readme-')
  let clone: {dir: string; bin: string}
  const servers: Array<ReturnType<typeof startBlock>> = []

  beforeAll(() => {
    clone = freshClone(packageRoot, tmp.path)
  }, 600_000)
  afterAll(async () => {
    for (const s of servers) {
      killGroup(s.child, 'SIGTERM')
      if (s.child.exitCode === null) await new Promise((r) => s.child.once('exit', r))
    }
    tmp.dispose()
  }, 60_000)

  /** Runs every marked block of `markdown`'s Real use section, in order, in its own home. */
  async function runReadme(markdown: string, name: string): Promise<void> {
    const blocks = markedBlocks(markdown)
    expect(blocks.length, 'the Real use section marks no block with <!-- readme-test -->').toBeGreaterThan(0)
    const home = join(tmp.path, name)
    mkdirSync(join(home, 'scripts'), {recursive: true})
    // As root, the embedded PostgreSQL runs as its own system user, which must be able to pass
    // through to the data dir (traverse only: nothing here is listable by others).
    for (const dir of [tmp.path, home]) chmodSync(dir, 0o711)
    const port = await freePort()
    const env: NodeJS.ProcessEnv = {
      PATH: `${clone.bin}:${process.env.PATH}`,
      HOME: home,
      LANG: 'C.UTF-8',
      // A free port and a private data dir through the documented environment fallbacks, so the
      // commands stay verbatim and never meet another server on this machine.
      CLAWD_PORT: String(port),
      CLAWD_DATA_DIR: join(home, 'server'),
      CLAWD_API_URL: `http://127.0.0.1:${port}`,
      CI: '1',
      NO_COLOR: '1',
      CLAWD_SKIP_NEW_VERSION_CHECK: 'true',
      ...(process.env.CLAWD_SANDBOX ? {CLAWD_SANDBOX: process.env.CLAWD_SANDBOX} : {}),
    }
    const which = await runBlock('command -v clawd && clawd --version', {cwd: clone.dir, env, timeoutMs: 30_000, scriptDir: join(home, 'scripts'), name: 'which'})
    expect(which.output.split('\n')[0], 'clawd on PATH is the clone’s').toBe(join(clone.bin, 'clawd'))
    let n = 0
    for (const block of blocks) {
      n++
      if (block.kind === 'server') {
        const server = startBlock(block.code, {cwd: clone.dir, env, scriptDir: join(home, 'scripts'), name: `server-${n}`})
        servers.push(server)
        await waitForApi(env.CLAWD_API_URL!, () => server.child.exitCode === null).catch((error: Error) => {
          throw new Error(`README block at line ${block.line}: ${error.message}\n${server.output()}`)
        })
        // Logged in, as the README's "Log in" step leaves a person (that step is interactive).
        const user = await newUser({url: env.CLAWD_API_URL!, adminSocket: join(env.CLAWD_DATA_DIR!, 'admin.sock')})
        env.CLAWD_TOKEN = user.accessToken
        continue
      }
      const result = await runBlock(block.code, {cwd: clone.dir, env, timeoutMs: 180_000, scriptDir: join(home, 'scripts'), name: `block-${n}`})
      expect(result.code, `README block at line ${block.line} failed:\n${block.code}\n---\n${result.output}`).toBe(0)
    }
  }

  it('the harness: reads only marked blocks of the Real use section, and runs them in the clone with clawd on PATH', async () => {
    const blocks = markedBlocks(SAMPLE)
    expect(blocks.map((b) => b.kind)).toEqual(['server', 'run'])
    expect(blocks[1]!.code).toContain('clawd chat -m "Hello" --model dev/echo')
    await runReadme(SAMPLE, 'sample')
  }, 600_000)

  it('the README in the clone: its marked Real use commands all succeed', async () => {
    const readme = readFileSync(join(clone.dir, 'README.md'), 'utf8')
    await runReadme(readme, 'readme')
  }, 900_000)
})
