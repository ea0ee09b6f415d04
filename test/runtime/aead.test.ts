import {randomBytes} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {
  AeadError,
  ENVELOPE_OVERHEAD,
  newDataKey,
  open,
  openString,
  seal,
  sealToString,
  unwrapDataKey,
  wrapDataKey,
} from '../../src/crypto/aead.js'

describe('AES-256-GCM envelope', () => {
  const key = randomBytes(32)

  it('round-trips and hides the plaintext', () => {
    const env = seal(key, 'canary-plaintext-123', 'ctx')
    expect(env[0]).toBe(1)
    expect(env.length).toBe(ENVELOPE_OVERHEAD + 'canary-plaintext-123'.length)
    expect(env.includes(Buffer.from('canary-plaintext-123'))).toBe(false)
    expect(open(key, env, 'ctx').toString()).toBe('canary-plaintext-123')
  })

  it('uses a fresh nonce each time', () => {
    expect(seal(key, 'same', 'a').equals(seal(key, 'same', 'a'))).toBe(false)
  })

  it('round-trips an empty plaintext and binary AAD', () => {
    const aad = Buffer.from([0, 1, 2])
    expect(open(key, seal(key, Buffer.alloc(0), aad), aad).length).toBe(0)
  })

  it('refuses a wrong AAD, a wrong key, a flipped bit anywhere, truncation and another version', () => {
    const env = seal(key, 'secret', 'ctx')
    expect(() => open(key, env, 'other')).toThrow(AeadError)
    expect(() => open(randomBytes(32), env, 'ctx')).toThrow(AeadError)
    for (let i = 0; i < env.length; i++) {
      const bad = Buffer.from(env)
      bad[i]! ^= 0x01
      expect(() => open(key, bad, 'ctx'), `bit flip at byte ${i}`).toThrow(AeadError)
    }
    expect(() => open(key, env.subarray(0, env.length - 1), 'ctx')).toThrow(AeadError)
    expect(() => open(key, env.subarray(0, 5), 'ctx')).toThrow(AeadError)
  })

  it('refuses keys of the wrong size', () => {
    expect(() => seal(randomBytes(16), 'x', '')).toThrow(/32-byte key/)
  })

  it('has a compact string form', () => {
    const s = sealToString(key, 'hello', 'ctx')
    expect(s).toMatch(/^v1\.[A-Za-z0-9_-]+$/)
    expect(openString(key, s, 'ctx').toString()).toBe('hello')
    expect(() => openString(key, s, 'nope')).toThrow(AeadError)
    expect(() => openString(key, 'v2.' + s.slice(3), 'ctx')).toThrow(AeadError)
  })
})

describe('data key wrapping', () => {
  const wrapKey = randomBytes(32)

  it('makes random 32-byte data keys', () => {
    const a = newDataKey()
    expect(a.length).toBe(32)
    expect(a.equals(newDataKey())).toBe(false)
  })

  it('unwraps only for the same instance and the same wrapping key', () => {
    const dataKey = newDataKey()
    const wrapped = wrapDataKey(wrapKey, dataKey, 'ins_a')
    expect(wrapped.includes(dataKey.toString('base64url'))).toBe(false)
    expect(unwrapDataKey(wrapKey, wrapped, 'ins_a').equals(dataKey)).toBe(true)
    expect(() => unwrapDataKey(wrapKey, wrapped, 'ins_b')).toThrow(AeadError)
    expect(() => unwrapDataKey(randomBytes(32), wrapped, 'ins_a')).toThrow(AeadError)
    const tampered = wrapped.slice(0, -2) + (wrapped.endsWith('AA') ? 'BB' : 'AA')
    expect(() => unwrapDataKey(wrapKey, tampered, 'ins_a')).toThrow(AeadError)
  })
})
