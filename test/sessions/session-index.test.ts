import {randomBytes} from 'node:crypto'
import {afterEach, describe, expect, it} from 'vitest'
import {SessionStore} from '../../src/agent/sessions/store.js'
import {Vault} from '../../src/agent/vault.js'
import {decodeCursor, encodeCursor} from '../../src/contract/paging.js'
import type {Session} from '../../src/contract/sessions.js'
import {tempDir} from '../helpers/tmp.js'

/**
 * Listing sessions reads the encrypted session index, a page at a time (issue: 10,000 sessions
 * list a page as fast as 10 do), and never opens every session's meta file.
 */
const session = (i: number): Session => ({
  id: `ses_${String(i).padStart(20, 'a').slice(-20)}`,
  title: `s${i}`,
  model: 'dev/echo',
  // Pairs share a timestamp, so the id breaks the tie.
  created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 2))).toISOString(),
  updated_at: new Date(Date.UTC(2026, 0, 1)).toISOString(),
  message_count: 0,
  usage: {input_tokens: 0, output_tokens: 0},
})

describe('the session index', () => {
  const dirs: Array<{dispose(): void}> = []
  afterEach(() => dirs.splice(0).forEach((d) => d.dispose()))
  async function open() {
    const dir = tempDir('clawd-index-')
    dirs.push(dir)
    const key = randomBytes(32)
    return {dir: dir.path, key, vault: await Vault.open(dir.path, key)}
  }

  async function readAll(store: SessionStore, limit: number): Promise<string[]> {
    const ids: string[] = []
    let after: {createdAt: string; id: string} | undefined
    for (;;) {
      const page = await store.page(limit, after)
      ids.push(...page.sessions.map((s) => s.id))
      if (!page.more) return ids
      after = decodeCursor(encodeCursor(page.last!.created_at, page.last!.id))
    }
  }

  it('pages through every session once, oldest first, and agrees with a full list', async () => {
    const {vault} = await open()
    const store = new SessionStore(vault)
    for (let i = 119; i >= 0; i--) await store.create(session(i))
    const expected = (await store.list()).map((s) => s.id)
    expect(expected).toHaveLength(120)
    expect(expected[0]).toBe(session(0).id)
    expect(await readAll(store, 50)).toEqual(expected)
    expect((await store.page(50)).sessions).toHaveLength(50)
    expect((await store.page(200)).more).toBe(false)
  })

  it('survives a new agent process (the index is in the vault), and reflects appends and deletes', async () => {
    const {dir, key, vault} = await open()
    const store = new SessionStore(vault)
    for (let i = 0; i < 10; i++) await store.create(session(i))
    await store.append(session(3).id, {id: 'msg_aaaaaaaaaaaaaaaaaaaa', role: 'user', content: 'hello there', created_at: '2026-01-02T00:00:00.000Z'})
    await store.delete(session(5).id)
    const again = new SessionStore(await Vault.open(dir, key))
    const listed = await again.list()
    expect(listed.map((s) => s.id)).toEqual((await store.list()).map((s) => s.id))
    expect(listed).toHaveLength(9)
    expect(listed.find((s) => s.id === session(3).id)).toMatchObject({message_count: 1, title: 's3'})
  })

  it('builds itself from the meta files of an instance made before it, once', async () => {
    const {dir, key, vault} = await open()
    for (let i = 0; i < 7; i++) await vault.writeJson(`sessions/${session(i).id}/meta`, session(i))
    expect(await vault.list('sessions.')).toEqual([])
    const store = new SessionStore(vault)
    expect((await store.list()).map((s) => s.id)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => session(i).id))
    expect(await vault.list('sessions.')).toEqual(['sessions.snapshot'])
    expect(await new SessionStore(await Vault.open(dir, key)).list()).toHaveLength(7)
  })

  it('folds the log into a snapshot when superseded records pile up, keeping the same answer', async () => {
    const {dir, key, vault} = await open()
    const store = new SessionStore(vault)
    await store.create(session(0))
    for (let i = 0; i < 200; i++) {
      await store.append(session(0).id, {id: `msg_${String(i).padStart(20, 'b')}`, role: 'user', content: 'x', created_at: '2026-01-02T00:00:00.000Z'})
    }
    const records = (await vault.readRecords('sessions.index'))?.length ?? 0
    expect(records).toBeLessThan(100)
    expect(await vault.list('sessions.')).toContain('sessions.snapshot')
    expect((await new SessionStore(await Vault.open(dir, key)).list())[0]!.message_count).toBe(200)
  })

  it('refuses nothing odd: an unknown cursor decodes to nothing', () => {
    expect(decodeCursor('not a cursor!')).toBeUndefined()
    expect(decodeCursor(Buffer.from('no-bar').toString('base64url'))).toBeUndefined()
  })
})
