import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {createLocalDriver} from '../../src/runtime/local-driver.js'

/**
 * A server running as root never runs agents as root by accident: when bwrap cannot be used it
 * refuses to start, unless the operator asked for no sandbox by name.
 */
describe.runIf(process.getuid?.() === 0)('as root without a usable bwrap', () => {
  const dirs: string[] = []
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawd-root-'))
    dirs.push(dir)
    return dir
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
  })

  it('refuses to fall back to agents that run as root, and says what to do', async () => {
    const started = createLocalDriver({dataDir: dataDir(), sandbox: 'auto', bwrapPath: '/nonexistent/bwrap', memoryLimitMb: 128, egressAllow: []})
    await expect(started).rejects.toThrow(/needs the bwrap sandbox to run agents as unprivileged uids.*Install bubblewrap, run the server as an unprivileged user, or pass --sandbox none/)
  })

  it('runs plain processes when the operator passes --sandbox none', async () => {
    const driver = await createLocalDriver({dataDir: dataDir(), sandbox: 'none', memoryLimitMb: 128, egressAllow: []})
    expect(driver.isolation.mode).toBe('process')
    await driver.shutdown()
  })
})
