import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/**
 * The server's master key: 32 bytes from CLAWD_MASTER_KEY (base64 or hex), or from a 0600 file
 * generated in the data dir on first start. Several API processes on one PostgreSQL must share it
 * through the environment.
 */
export function loadMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.CLAWD_MASTER_KEY
  if (fromEnv) {
    const key = /^[0-9a-f]{64}$/i.test(fromEnv) ? Buffer.from(fromEnv, 'hex') : Buffer.from(fromEnv, 'base64')
    if (key.length !== 32) throw new Error('CLAWD_MASTER_KEY must be 32 bytes, as 64 hex or 44 base64 characters.')
    return key
  }
  const path = join(dataDir, 'master.key')
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('base64') + '\n', {mode: 0o600, flag: 'wx'})
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte key.`)
  return key
}
