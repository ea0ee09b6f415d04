import {randomBytes} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {HOP_HEADERS, HOP_WINDOW_MS, NonceCache, signHop, verifyHop} from '../../src/server/replicas/hop.js'

/** The signed internal hop, attacked one field at a time. */
describe('internal hop signature', () => {
  const key = randomBytes(32)
  const req = {target: 'rep_a', method: 'POST', path: '/internal/v1/instances/ins_x/agent/keys/anthropic', body: Buffer.from('{"ct":"x"}')}
  const check = (headers: Record<string, string>, over: Partial<typeof req> = {}, nonces = new NonceCache(), now = Date.now(), self = 'rep_a') =>
    verifyHop(key, self, headers, {method: over.method ?? req.method, path: over.path ?? req.path, body: over.body ?? req.body}, nonces, now)

  it('accepts a fresh request signed for this replica, once', () => {
    const nonces = new NonceCache()
    const headers = signHop(key, req)
    expect(check(headers, {}, nonces)).toEqual({ok: true})
    expect(check(headers, {}, nonces)).toEqual({ok: false, reason: 'replayed'})
  })

  it('refuses a missing credential, another key, another replica, and a stale one', () => {
    expect(check({})).toEqual({ok: false, reason: 'missing'})
    expect(check(signHop(randomBytes(32), req))).toEqual({ok: false, reason: 'bad_signature'})
    expect(check(signHop(key, req), {}, new NonceCache(), Date.now(), 'rep_b')).toEqual({ok: false, reason: 'wrong_target'})
    expect(check(signHop(key, req, Date.now() - HOP_WINDOW_MS - 1000))).toEqual({ok: false, reason: 'stale'})
  })

  it('binds the method, the path with its query, and every byte of the body', () => {
    const headers = signHop(key, req)
    expect(check(headers, {method: 'DELETE'})).toMatchObject({ok: false, reason: 'bad_signature'})
    expect(check(headers, {path: req.path + '?x=1'})).toMatchObject({ok: false, reason: 'bad_signature'})
    expect(check(headers, {body: Buffer.from('{"ct":"y"}')})).toMatchObject({ok: false, reason: 'bad_signature'})
    const forgedTarget = {...headers, [HOP_HEADERS.target]: 'rep_b'}
    expect(check(forgedTarget, {}, new NonceCache(), Date.now(), 'rep_b')).toMatchObject({ok: false, reason: 'bad_signature'})
  })

  it('does not spend a nonce on a forged signature (a forger cannot block a real request)', () => {
    const nonces = new NonceCache()
    const real = signHop(key, req)
    expect(check({...real, [HOP_HEADERS.signature]: 'A'.repeat(43)}, {}, nonces)).toMatchObject({ok: false, reason: 'bad_signature'})
    expect(check(real, {}, nonces)).toEqual({ok: true})
  })
})

describe('what the hop passes to the agent', () => {
  it('passes the request’s own headers and the gateway’s x-clawd-* ones, never a credential', async () => {
    const {passesToAgent} = await import('../../src/server/replicas/internal-app.js')
    for (const name of ['content-type', 'last-event-id', 'accept', 'x-clawd-allowed-tools']) expect(passesToAgent(name), name).toBe(true)
    for (const name of ['authorization', 'cookie', 'proxy-authorization', 'x-clawd-instance-secret', HOP_HEADERS.signature, HOP_HEADERS.nonce, 'host', 'x-forwarded-for']) {
      expect(passesToAgent(name), name).toBe(false)
    }
  })
})
