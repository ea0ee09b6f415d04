import {describe, expect, it} from 'vitest'
import {keyFingerprint} from '../../src/crypto/fingerprint.js'

describe('keyFingerprint', () => {
  it('is the first 8 hex characters of SHA-256 (FIPS 180-2 "abc" vector)', () => {
    // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
    expect(keyFingerprint('abc')).toBe('ba7816bf')
    expect(keyFingerprint(new TextEncoder().encode('abc'))).toBe('ba7816bf')
  })

  it('hashes the key as UTF-8 and tells different keys apart', () => {
    expect(keyFingerprint('sk-ant-one')).not.toBe(keyFingerprint('sk-ant-two'))
    expect(keyFingerprint('caf\u00e9')).toBe(keyFingerprint(Buffer.from('636166c3a9', 'hex')))
    expect(keyFingerprint('sk-ant-one')).toMatch(/^[0-9a-f]{8}$/)
  })
})
