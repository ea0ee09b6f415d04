import {existsSync, readFileSync, statSync, writeFileSync, chmodSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {CliConfig} from '../../src/cli/kit/config.js'
import type {Credential} from '../../src/cli/credentials/credential.js'
import {Credentials, keyringUnavailableReason} from '../../src/cli/credentials/credentials.js'
import {FileCredentialStore} from '../../src/cli/credentials/file-store.js'
import type {KeyringBackend} from '../../src/cli/credentials/keyring-store.js'
import {withFileLock} from '../../src/cli/credentials/lock.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {tempDir} from '../helpers/tmp.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length) cleanups.pop()!()
})
function configDir(): string {
  const dir = tempDir('clawd-cfg-')
  cleanups.push(dir.dispose)
  return join(dir.path, 'nested', 'clawd')
}

const credential = (api = 'http://127.0.0.1:7420'): Credential => ({
  api,
  accessToken: 'clawd_at_' + 'a'.repeat(36),
  refreshToken: 'clawd_rt_' + 'b'.repeat(36),
  accessExpiresAt: 1_900_003_600_000,
  accessIssuedAt: 1_900_000_000_000,
  email: 'ada@example.com',
  userId: 'usr_1',
})

/** An OS keyring stand-in: entries in memory, or one that never answers, or one that fails. */
function memoryKeyring(): KeyringBackend & {entries: Map<string, string>} {
  const entries = new Map<string, string>()
  return {
    entries,
    get: async (s, a) => entries.get(`${s}/${a}`) ?? null,
    set: async (s, a, v) => void entries.set(`${s}/${a}`, v),
    delete: async (s, a) => entries.delete(`${s}/${a}`),
  }
}
const hangingKeyring: KeyringBackend = {
  get: (_s, _a, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
  set: (_s, _a, _v, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
  delete: (_s, _a, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
}
const brokenKeyring: KeyringBackend = {
  get: async () => {
    throw new Error('Platform secure storage failure')
  },
  set: async () => {
    throw new Error('Platform secure storage failure')
  },
  delete: async () => {
    throw new Error('Platform secure storage failure')
  },
}

function credentials(dir: string, opts: {env?: NodeJS.ProcessEnv; keyring?: KeyringBackend; platform?: NodeJS.Platform} = {}) {
  const warnings: string[] = []
  let loads = 0
  const store = new Credentials({
    configDir: dir,
    config: new CliConfig(dir),
    env: opts.env ?? {},
    platform: opts.platform ?? 'linux',
    timeoutMs: 100,
    loadKeyring: async () => {
      loads++
      if (!opts.keyring) throw new Error('no keyring in this test')
      return opts.keyring
    },
    warn: (line) => warnings.push(line),
  })
  return {store, warnings, loads: () => loads}
}

describe('file credential store', () => {
  it('keeps credentials in a 0600 file inside a 0700 dir, per API URL', async () => {
    const dir = configDir()
    const store = new FileCredentialStore(dir)
    await store.set(credential('http://127.0.0.1:7420'))
    await store.set(credential('https://clawd.example.com'))
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(store.path).mode & 0o777).toBe(0o600)
    expect(await store.get('https://clawd.example.com')).toEqual(credential('https://clawd.example.com'))
    expect(await store.delete('http://127.0.0.1:7420')).toBe(true)
    expect(await store.get('http://127.0.0.1:7420')).toBeUndefined()
    expect(await store.delete('http://127.0.0.1:7420')).toBe(false)
    expect(await store.get('https://clawd.example.com')).toBeDefined()
  })

  it('narrows a widened file mode back to 0600 when it reads the file', async () => {
    const dir = configDir()
    const store = new FileCredentialStore(dir)
    await store.set(credential())
    chmodSync(store.path, 0o644)
    await store.get(credential().api)
    expect(statSync(store.path).mode & 0o777).toBe(0o600)
  })

  it('says what to do with a corrupt file instead of crashing', async () => {
    const dir = configDir()
    const store = new FileCredentialStore(dir)
    await store.set(credential())
    writeFileSync(store.path, '{not json')
    const error = await store.get(credential().api).catch((e) => e)
    expect(error).toBeInstanceOf(CliError)
    expect(error.hint).toMatch(/clawd login/)
  })
})

describe('credential store selection', () => {
  it('does not try the keyring on Linux without a D-Bus session', async () => {
    expect(keyringUnavailableReason({}, 'linux')).toMatch(/D-Bus/)
    expect(keyringUnavailableReason({DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1/bus'}, 'linux')).toBeUndefined()
    expect(keyringUnavailableReason({}, 'darwin')).toBeUndefined()
    const dir = configDir()
    const {store, loads} = credentials(dir, {keyring: memoryKeyring()})
    expect(await store.set(credential())).toBe('file')
    expect(loads()).toBe(0)
    expect(await store.get(credential().api)).toEqual({credential: credential(), source: 'file'})
  })

  it('warns once about the file fallback, not on every command', async () => {
    const dir = configDir()
    const first = credentials(dir)
    await first.store.set(credential())
    await first.store.set(credential('https://other.example.com'))
    expect(first.warnings).toHaveLength(1)
    expect(first.warnings[0]).toMatch(/keyring is not available .*credentials\.json/)
    // A later process (a new Credentials on the same dir) remembers it was said.
    const later = credentials(dir)
    await later.store.set(credential())
    expect(later.warnings).toHaveLength(0)
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({fileStoreWarned: true})
  })

  it('uses the keyring when it answers, and keeps no copy in the file', async () => {
    const dir = configDir()
    const keyring = memoryKeyring()
    const {store, warnings} = credentials(dir, {env: {DBUS_SESSION_BUS_ADDRESS: 'x'}, keyring})
    expect(await store.set(credential())).toBe('keyring')
    expect(await store.get(credential().api)).toEqual({credential: credential(), source: 'keyring'})
    expect(existsSync(join(dir, 'credentials.json'))).toBe(false)
    expect(warnings).toHaveLength(0)
    expect(await store.delete(credential().api)).toBe(true)
    expect(keyring.entries.size).toBe(0)
  })

  it('gives up on a keyring that does not answer, and falls back to the file with a warning', async () => {
    const dir = configDir()
    const {store, warnings} = credentials(dir, {env: {DBUS_SESSION_BUS_ADDRESS: 'x'}, keyring: hangingKeyring})
    expect(await store.set(credential())).toBe('file')
    expect(store.stalled).toBe(true)
    expect(warnings[0]).toMatch(/did not answer within 100 ms/)
    expect(await store.get(credential().api)).toEqual({credential: credential(), source: 'file'})
  })

  it('falls back to the file when the keyring fails', async () => {
    const dir = configDir()
    const {store, warnings} = credentials(dir, {env: {DBUS_SESSION_BUS_ADDRESS: 'x'}, keyring: brokenKeyring})
    expect(await store.set(credential())).toBe('file')
    expect(warnings[0]).toMatch(/Platform secure storage failure/)
    expect(await store.get(credential().api)).toMatchObject({source: 'file'})
  })
})

describe('refresh lock', () => {
  it('lets one holder in at a time', async () => {
    const dir = configDir()
    const path = join(dir, 'refresh.lock')
    let inside = 0
    let maxInside = 0
    const order: number[] = []
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        withFileLock(path, async () => {
          inside++
          maxInside = Math.max(maxInside, inside)
          await new Promise((r) => setTimeout(r, 20))
          order.push(n)
          inside--
        }, {pollMs: 5}),
      ),
    )
    expect(maxInside).toBe(1)
    expect(order.sort()).toEqual([1, 2, 3, 4])
    expect(existsSync(path)).toBe(false)
  })

  it('takes over a lock left by a process that no longer exists', async () => {
    const dir = configDir()
    const path = join(dir, 'refresh.lock')
    await withFileLock(path, async () => {}) // creates the dir
    writeFileSync(path, '999999999')
    const old = new Date(Date.now() - 5000)
    const {utimesSync} = await import('node:fs')
    utimesSync(path, old, old)
    expect(await withFileLock(path, async () => 'ran', {waitMs: 60_000})).toBe('ran')
  })
})
