import {randomBytes} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {generateToken, hashToken, parseToken, randomChars, tokenLength} from '../../src/crypto/tokens.js'

describe('token format', () => {
  it.each(['at', 'rt', 'pat'] as const)('generates %s tokens that parse back with their kind', (kind) => {
    const token = generateToken(kind)
    expect(token).toMatch(new RegExp(`^clawd_${kind}_[0-9A-Za-z]{36}$`))
    expect(token).toHaveLength(tokenLength(kind))
    expect(parseToken(token)).toEqual({kind, token})
  })

  it('never repeats', () => {
    const seen = new Set(Array.from({length: 200}, () => generateToken('at')))
    expect(seen.size).toBe(200)
  })

  it('rejects a single changed character anywhere (the checksum catches typos)', () => {
    const token = generateToken('pat')
    const start = 'clawd_pat_'.length
    for (let i = start; i < token.length; i++) {
      const c = token[i] === 'a' ? 'b' : 'a'
      expect(parseToken(token.slice(0, i) + c + token.slice(i + 1))).toBeNull()
    }
  })

  it('rejects a transposition of two characters', () => {
    const token = generateToken('at')
    const i = 12
    if (token[i] === token[i + 1]) return
    const swapped = token.slice(0, i) + token[i + 1] + token[i] + token.slice(i + 2)
    expect(parseToken(swapped)).toBeNull()
  })

  it('rejects wrong prefixes, kinds, lengths and a re-labelled kind', () => {
    const token = generateToken('at')
    expect(parseToken('')).toBeNull()
    expect(parseToken(token.slice(0, -1))).toBeNull()
    expect(parseToken(token + 'x')).toBeNull()
    expect(parseToken(token.replace('clawd_', 'claw_'))).toBeNull()
    expect(parseToken(token.replace('_at_', '_xx_'))).toBeNull()
    // Changing the kind changes the checksummed part, so an access token cannot pose as a refresh token.
    expect(parseToken(token.replace('_at_', '_rt_'))).toBeNull()
    expect(parseToken('clawd_at_' + '!'.repeat(36))).toBeNull()
  })

  it('accepts surrounding whitespace (pasted tokens) but returns the trimmed token', () => {
    const token = generateToken('rt')
    expect(parseToken(`  ${token}\n`)).toEqual({kind: 'rt', token})
  })

  it('hashes with HMAC-SHA256 under the pepper: hex, stable, pepper-dependent', () => {
    const token = generateToken('at')
    const pepper = randomBytes(32)
    const h = hashToken(pepper, token)
    expect(h).toMatch(/^[0-9a-f]{64}$/)
    expect(hashToken(pepper, token)).toBe(h)
    expect(hashToken(randomBytes(32), token)).not.toBe(h)
    expect(h).not.toContain(token.slice(9, 20))
  })

  it('draws random characters uniformly from the alphabet', () => {
    const s = randomChars(20_000, 'AB')
    const a = [...s].filter((c) => c === 'A').length
    expect(a).toBeGreaterThan(9_000)
    expect(a).toBeLessThan(11_000)
    expect(randomChars(50, 'XYZ')).toMatch(/^[XYZ]{50}$/)
  })
})
