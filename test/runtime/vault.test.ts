import {randomBytes} from 'node:crypto'
import {appendFileSync, copyFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {Vault, VaultError} from '../../src/agent/vault.js'
import {tempDir} from '../helpers/tmp.js'
import {allBytes} from './helpers.js'

describe('vault', () => {
  const dirs: Array<{dispose(): void}> = []
  afterEach(() => dirs.splice(0).forEach((d) => d.dispose()))
  const fresh = async (key = randomBytes(32)) => {
    const dir = tempDir('clawd-vault-')
    dirs.push(dir)
    return {dir: dir.path, key, vault: await Vault.open(dir.path, key)}
  }
  /** A fresh vault with records 'one' and 'two' in its 'log', and the path of the only file on disk. */
  const twoRecords = async () => {
    const {dir, key, vault} = await fresh()
    await vault.append('log', 'one')
    await vault.append('log', 'two')
    const [file] = readdirSync(join(dir, 'vault'))
    return {dir, key, path: join(dir, 'vault', file!)}
  }

  it('stores entries encrypted: neither content nor names appear on disk', async () => {
    const {dir, vault} = await fresh()
    const canary = `canary-${randomBytes(8).toString('hex')}`
    await vault.write(`workspace/${canary}.md`, `hello ${canary}`)
    await vault.append('sessions/s1', `{"text":"${canary}"}`)
    expect(await vault.readText(`workspace/${canary}.md`)).toBe(`hello ${canary}`)
    const disk = allBytes(dir)
    expect(disk.includes(Buffer.from(canary))).toBe(false)
    expect(disk.includes(Buffer.from('workspace'))).toBe(false)
    expect(disk.includes(Buffer.from('sessions'))).toBe(false)
    for (const f of readdirSync(join(dir, 'vault'))) expect(statSync(join(dir, 'vault', f)).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'vault')).mode & 0o777).toBe(0o700)
  })

  it('reads, replaces, lists and deletes', async () => {
    const {vault} = await fresh()
    expect(await vault.read('a')).toBeUndefined()
    await vault.writeJson('keys/openai', {v: 1})
    await vault.write('keys/anthropic', 'x')
    await vault.write('keys/anthropic', 'y')
    await vault.write('other', Buffer.from([0, 1, 2]))
    expect(await vault.readText('keys/anthropic')).toBe('y')
    expect(await vault.readJson('keys/openai')).toEqual({v: 1})
    expect(await vault.list('keys/')).toEqual(['keys/anthropic', 'keys/openai'])
    expect(await vault.list()).toEqual(['keys/anthropic', 'keys/openai', 'other'])
    expect(await vault.delete('keys/openai')).toBe(true)
    expect(await vault.delete('keys/openai')).toBe(false)
    expect(await vault.has('keys/openai')).toBe(false)
    expect(await vault.list('keys/')).toEqual(['keys/anthropic'])
  })

  it('appends records in order, across reopen, and concurrently', async () => {
    const {dir, key, vault} = await fresh()
    await Promise.all(Array.from({length: 20}, (_, i) => vault.append('log', `r${i}`)))
    const reopened = await Vault.open(dir, key)
    await reopened.append('log', 'last')
    const records = (await reopened.readRecords('log'))!.map(String)
    expect(records).toHaveLength(21)
    expect(records.slice(0, 20).sort()).toEqual(Array.from({length: 20}, (_, i) => `r${i}`).sort())
    expect(records[20]).toBe('last')
    expect((await reopened.read('log'))!.toString()).toBe(records.join(''))
  })

  it('ignores a torn last record and cuts it off on the next append', async () => {
    const {dir, key, path} = await twoRecords()
    truncateSync(path, statSync(path).size - 5)
    const reopened = await Vault.open(dir, key)
    expect((await reopened.readRecords('log'))!.map(String)).toEqual(['one'])
    await reopened.append('log', 'three')
    expect((await (await Vault.open(dir, key)).readRecords('log'))!.map(String)).toEqual(['one', 'three'])
    appendFileSync(path, Buffer.from([0, 0, 0]))
    expect((await (await Vault.open(dir, key)).readRecords('log'))!.map(String)).toEqual(['one', 'three'])
  })

  it('refuses another key, a tampered byte and a file moved onto another entry', async () => {
    const {dir, vault} = await fresh()
    await vault.write('a', 'alpha')
    await vault.write('b', 'beta')
    const other = await Vault.open(dir, randomBytes(32))
    await expect(other.read('a')).resolves.toBeUndefined() // other key, other file names
    expect(await other.list()).toEqual([])

    const files = readdirSync(join(dir, 'vault'))
    const aFile = files.find((f) => f !== undefined)!
    const bFile = files.find((f) => f !== aFile)!
    // Which file is which does not matter: after the copy both names point at one entry's bytes.
    copyFileSync(join(dir, 'vault', aFile), join(dir, 'vault', bFile))
    const results = await Promise.allSettled([vault.read('a'), vault.read('b')])
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason).toBeInstanceOf(VaultError)
    expect(rejected.reason.code).toBe('corrupt')

  })

  it('refuses a complete record with a flipped bit', async () => {
    const {dir, key, path} = await twoRecords()
    const bytes = readFileSync(path)
    bytes[bytes.length - 3]! ^= 1
    writeFileSync(path, bytes)
    await expect((await Vault.open(dir, key)).readRecords('log')).rejects.toMatchObject({code: 'corrupt'})
  })

  it('refuses bad names', async () => {
    const {vault} = await fresh()
    await expect(vault.write('', 'x')).rejects.toMatchObject({code: 'bad_name'})
    await expect(vault.write('a\0b', 'x')).rejects.toMatchObject({code: 'bad_name'})
  })
})
