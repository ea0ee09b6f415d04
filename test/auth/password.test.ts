import {describe, expect, it} from 'vitest'
import {hashPassword, verifyPassword} from '../../src/crypto/password.js'

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await hashPassword('correct horse battery')
    expect(encoded).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(encoded).not.toContain('correct horse')
    expect(await verifyPassword('correct horse battery', encoded)).toBe(true)
    expect(await verifyPassword('correct horse batterY', encoded)).toBe(false)
    expect(await verifyPassword('', encoded)).toBe(false)
  })

  it('salts each hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'))
  })

  it('reads the parameters from the stored string', async () => {
    const cheap = await hashPassword('pw with other cost', {N: 1024, r: 8, p: 1})
    expect(cheap).toMatch(/^scrypt\$N=1024,/)
    expect(await verifyPassword('pw with other cost', cheap)).toBe(true)
  })

  it('never verifies against a malformed or hostile stored hash', async () => {
    expect(await verifyPassword('x', '')).toBe(false)
    expect(await verifyPassword('x', 'plain')).toBe(false)
    expect(await verifyPassword('x', 'scrypt$N=1000,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false)
    expect(await verifyPassword('x', 'scrypt$N=1073741824,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false)
  })
})
