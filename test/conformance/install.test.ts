import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
// @ts-expect-error plain ESM script without types, shared with .ci/run
import {ensureOpenClaw} from '../../scripts/install-openclaw.mjs'

/**
 * The suite may skip only when the registry cannot be reached. This proves the installer tells
 * that case apart (and says why) instead of skipping on any error.
 */

const saved = {...process.env}
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
  Object.assign(process.env, saved)
})

describe('install-openclaw', () => {
  it('reports an unreachable registry as such, with the reason, and installs nothing', async () => {
    // A port that accepts nothing: listen, note the port, close.
    const port = await new Promise<number>((resolve) => {
      const server = createServer()
      server.listen(0, '127.0.0.1', () => {
        const {port} = server.address() as {port: number}
        server.close(() => resolve(port))
      })
    })
    const cache = mkdtempSync(join(tmpdir(), 'clawd-openclaw-cache-'))
    try {
      process.env.CLAWD_OPENCLAW_CACHE = cache
      process.env.npm_config_registry = `http://127.0.0.1:${port}/`
      process.env.npm_config_fetch_retries = '0'
      process.env.npm_config_cache = join(cache, 'npm-cache')
      const result = await ensureOpenClaw()
      expect(result).toMatchObject({ok: false, unreachable: true})
      expect(result.reason).toMatch(/ECONNREFUSED/)
    } finally {
      rmSync(cache, {recursive: true, force: true})
    }
  }, 120_000)
})
