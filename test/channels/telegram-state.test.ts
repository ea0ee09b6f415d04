import {randomBytes} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {TelegramState} from '../../src/agent/channels/telegram/state.js'
import {newPairingCode} from '../../src/agent/channels/telegram/pairing-code.js'
import {Vault} from '../../src/agent/vault.js'
import {PAIRING_CODE_TTL_MS} from '../../src/contract/channels.js'
import {tempDir} from '../helpers/tmp.js'

/** The channel's state in the instance's vault: pairing codes that expire, approvals, dedup. */
describe('TelegramState', () => {
  const dir = tempDir('clawd-tgstate-')
  let state: TelegramState
  const sender = (id: number) => ({user_id: String(id), chat_id: String(id), username: `u${id}`, name: null})
  const t0 = Date.parse('2026-12-01T10:00:00Z')

  beforeAll(async () => {
    state = new TelegramState(await Vault.open(dir.path, randomBytes(32)))
  })
  afterAll(() => dir.dispose())

  it('pairing codes are 8 characters without look-alikes', () => {
    for (let i = 0; i < 50; i++) expect(newPairingCode()).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
  })

  it('a code lives one hour: the same sender gets the same code meanwhile, and it cannot be approved after', async () => {
    const a = await state.requestPairing(sender(1), t0, PAIRING_CODE_TTL_MS, newPairingCode)
    expect(a).toMatchObject({user_id: '1', expires_at: new Date(t0 + PAIRING_CODE_TTL_MS).toISOString()})
    expect((await state.requestPairing(sender(1), t0 + 60_000, PAIRING_CODE_TTL_MS, newPairingCode))?.code).toBe(a!.code)
    expect((await state.pending(t0 + PAIRING_CODE_TTL_MS - 1)).map((p) => p.code)).toEqual([a!.code])
    expect(await state.pending(t0 + PAIRING_CODE_TTL_MS)).toEqual([])
    expect(await state.decide(a!.code, true, t0 + PAIRING_CODE_TTL_MS + 1)).toBeUndefined()
    expect(await state.isApproved('1', {dm_policy: 'pairing', allow_from: []})).toBe(false)
  })

  it('approval lets the sender in; denial does not; the policy decides for everyone else', async () => {
    const b = await state.requestPairing(sender(2), t0, PAIRING_CODE_TTL_MS, newPairingCode)
    const c = await state.requestPairing(sender(3), t0, PAIRING_CODE_TTL_MS, newPairingCode)
    expect(await state.decide(b!.code, true, t0 + 1)).toMatchObject({user_id: '2'})
    expect(await state.decide(c!.code, false, t0 + 1)).toMatchObject({user_id: '3'})
    expect(await state.decide(b!.code, true, t0 + 2)).toBeUndefined() // used up
    expect(await state.isApproved('2', {dm_policy: 'pairing', allow_from: []})).toBe(true)
    expect(await state.isApproved('3', {dm_policy: 'pairing', allow_from: []})).toBe(false)
    expect(await state.isApproved('2', {dm_policy: 'allowlist', allow_from: ['9']})).toBe(false)
    expect(await state.isApproved('9', {dm_policy: 'allowlist', allow_from: ['9']})).toBe(true)
    expect(await state.isApproved('77', {dm_policy: 'open', allow_from: []})).toBe(true)
  })

  it('at most 50 codes wait at once, so strangers cannot grow the book without bound', async () => {
    const results = []
    for (let i = 100; i < 160; i++) results.push(await state.requestPairing(sender(i), t0, PAIRING_CODE_TTL_MS, newPairingCode))
    expect(results.filter(Boolean).length).toBe(50)
  })

  it('an update id is taken once, also when two deliveries race', async () => {
    const [x, y] = await Promise.all([state.firstDelivery(500), state.firstDelivery(500)])
    expect([x, y].sort()).toEqual([false, true])
    expect(await state.firstDelivery(500)).toBe(false)
    expect(await state.firstDelivery(501)).toBe(true)
  })

  it('the quota notice goes once per chat and reset time', async () => {
    expect(await state.firstQuotaNotice('1', 'R1')).toBe(true)
    expect(await state.firstQuotaNotice('1', 'R1')).toBe(false)
    expect(await state.firstQuotaNotice('2', 'R1')).toBe(true)
    expect(await state.firstQuotaNotice('1', 'R2')).toBe(true)
  })
})
