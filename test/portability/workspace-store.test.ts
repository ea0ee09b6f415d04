import {randomBytes} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {Vault} from '../../src/agent/vault.js'
import {starterWorkspace} from '../../src/agent/workspace-defaults.js'
import {WorkspaceStore} from '../../src/agent/workspace-store.js'
import {tempDir} from '../helpers/tmp.js'

describe('WorkspaceStore', () => {
  const dirs: Array<{dispose(): void}> = []
  afterEach(() => dirs.splice(0).forEach((d) => d.dispose()))
  const fresh = async () => {
    const dir = tempDir('clawd-ws-store-')
    dirs.push(dir)
    const key = randomBytes(32)
    return {dir: dir.path, key, vault: await Vault.open(dir.path, key)}
  }

  it('seeds the starter workspace on first read, sorted by path', async () => {
    const {vault} = await fresh()
    const files = await new WorkspaceStore(vault).files()
    const starter = starterWorkspace()
    expect(files.map((f) => f.path)).toEqual(Object.keys(starter).sort())
    for (const f of files) expect(f.content).toBe(starter[f.path as keyof typeof starter])
    expect(await new WorkspaceStore(vault).get('SOUL.md')).toBe(starter['SOUL.md'])
    expect(await new WorkspaceStore(vault).get('TOOLS.md')).toBeUndefined()
  })

  it('keeps what a push left out: deleted starter files do not come back', async () => {
    const {dir, key, vault} = await fresh()
    await new WorkspaceStore(vault).files()
    await new WorkspaceStore(vault).replace([{path: 'SOUL.md', content: '# Only me\n'}])
    // A new process (a resumed instance) opens the same vault.
    const reopened = await Vault.open(dir, key)
    expect(await new WorkspaceStore(reopened).files()).toEqual([{path: 'SOUL.md', content: '# Only me\n'}])
  })

  it('replace is one atomic entry: every file or none, nothing in clear on disk', async () => {
    const {dir, vault} = await fresh()
    const marker = `canary-${randomBytes(8).toString('hex')}`
    await new WorkspaceStore(vault).replace([
      {path: 'memory/2026-07-01.md', content: `${marker} note\n`},
      {path: 'AGENTS.md', content: `${marker} agents\n`},
    ])
    const files = readdirSync(join(dir, 'vault')).filter((f) => !f.startsWith('.'))
    for (const f of files) expect(readFileSync(join(dir, 'vault', f)).includes(marker)).toBe(false)
    expect((await new WorkspaceStore(vault).files()).map((f) => f.path)).toEqual(['AGENTS.md', 'memory/2026-07-01.md'])
  })

  it('a first read racing a push never overwrites the push with the starter files', async () => {
    const {vault} = await fresh()
    const reader = new WorkspaceStore(vault)
    const writer = new WorkspaceStore(vault)
    const [, , after] = await Promise.all([reader.files(), writer.replace([{path: 'USER.md', content: 'me\n'}]), reader.files()])
    expect(after).toEqual([{path: 'USER.md', content: 'me\n'}])
    expect(await reader.files()).toEqual([{path: 'USER.md', content: 'me\n'}])
  })
})
