import {webcrypto} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {encodeByokAad, type ByokAadFields} from '../../src/crypto/byok-aad.js'
import {
  BYOK_INFO_PREFIX,
  byokSuite,
  decodePublicKey,
  encodePublicKey,
  generateKeyPair,
  kidFor,
  OpenKeyError,
  openKey,
  publicKeyFromPrivate,
  sealKey,
  type X25519KeyPair,
} from '../../src/crypto/hpke.js'
import {aeadOpen, decap, keySchedule} from './reference-hpke.js'

const SECRET = 'sk-ant-canary-0123456789abcdef'
const fields: ByokAadFields = {userId: 'usr_aaaaaaaaaaaaaaaaaaaa', instanceId: 'ins_bbbbbbbbbbbbbbbbbbbb', keyName: 'anthropic', baseUrl: '', version: 3}
const utf8 = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

async function sealed(pair: X25519KeyPair, aadFields = fields, plaintext = SECRET) {
  const kid = kidFor(pair.publicKey)
  const {enc, ct} = await sealKey({publicKey: pair.publicKey, kid, aad: encodeByokAad(aadFields), plaintext: utf8(plaintext)})
  return {kid, enc, ct}
}

/** Flips one bit of the decoded value and re-encodes it: a tampered but well-formed upload. */
function flip(b64: string, index: number): string {
  const bytes = Buffer.from(b64, 'base64url')
  bytes[index < 0 ? bytes.length + index : index]! ^= 0x01
  return bytes.toString('base64url')
}

describe('key pairs', () => {
  it('generateKeyPair gives raw 32-byte keys that belong together', () => {
    const pair = generateKeyPair()
    expect(pair.publicKey).toHaveLength(32)
    expect(pair.privateKey).toHaveLength(32)
    expect(Buffer.from(publicKeyFromPrivate(pair.privateKey)).equals(Buffer.from(pair.publicKey))).toBe(true)
    expect(Buffer.from(generateKeyPair().publicKey).equals(Buffer.from(pair.publicKey))).toBe(false)
  })

  it('kidFor is the first 16 hex characters of the SHA-256 of the raw public key', () => {
    const zero = new Uint8Array(32)
    // sha256 of 32 zero bytes
    expect(kidFor(zero)).toBe('66687aadf862bd77')
    expect(kidFor(generateKeyPair().publicKey)).toMatch(/^[0-9a-f]{16}$/)
    expect(() => kidFor(new Uint8Array(31))).toThrow(TypeError)
  })

  it('public keys travel as 43 characters of unpadded base64url', () => {
    const {publicKey} = generateKeyPair()
    const encoded = encodePublicKey(publicKey)
    expect(encoded).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(decodePublicKey(encoded)).equals(Buffer.from(publicKey))).toBe(true)
    expect(() => decodePublicKey(encoded.slice(1))).toThrow(TypeError)
    expect(() => decodePublicKey(`${encoded}=`)).toThrow(TypeError)
    expect(() => decodePublicKey(encoded.replace(/^./, '+'))).toThrow(TypeError)
  })
})

describe('sealKey / openKey', () => {
  it('round-trips, with a fresh ephemeral key each time', async () => {
    const pair = generateKeyPair()
    const a = await sealed(pair)
    const b = await sealed(pair)
    expect(a.enc).not.toBe(b.enc)
    expect(a.ct).not.toBe(b.ct)
    expect(Buffer.from(a.enc, 'base64url')).toHaveLength(32)
    expect(Buffer.from(a.ct, 'base64url')).toHaveLength(utf8(SECRET).length + 16)
    expect(a.ct).not.toContain(Buffer.from(SECRET).toString('base64url').slice(0, 8))
    for (const s of [a, b]) {
      const plain = await openKey({privateKey: pair.privateKey, kid: s.kid, aad: encodeByokAad(fields), enc: s.enc, ct: s.ct})
      expect(text(plain)).toBe(SECRET)
    }
  })

  it('is standard HPKE with info clawd/byok/v1|<kid> and the AAD: an independent implementation opens it', async () => {
    const pair = generateKeyPair()
    const {kid, enc, ct} = await sealed(pair)
    const shared = decap(Buffer.from(enc, 'base64url'), Buffer.from(pair.privateKey))
    const schedule = keySchedule(2, shared, Buffer.from(`${BYOK_INFO_PREFIX}${kid}`))
    const plain = aeadOpen(2, schedule, 0, Buffer.from(encodeByokAad(fields)), Buffer.from(ct, 'base64url'))
    expect(plain.toString('utf8')).toBe(SECRET)
    // And it really depends on info: the same bytes under another info do not open.
    const other = keySchedule(2, shared, Buffer.from(`${BYOK_INFO_PREFIX}0000000000000000`))
    expect(() => aeadOpen(2, other, 0, Buffer.from(encodeByokAad(fields)), Buffer.from(ct, 'base64url'))).toThrow()
  })

  it('interoperates with key pairs made by WebCrypto and by @hpke/core', async () => {
    const web = (await webcrypto.subtle.generateKey({name: 'X25519'}, true, ['deriveBits'])) as unknown as webcrypto.CryptoKeyPair
    const webPair: X25519KeyPair = {
      publicKey: new Uint8Array(await webcrypto.subtle.exportKey('raw', web.publicKey)),
      privateKey: new Uint8Array(Buffer.from((await webcrypto.subtle.exportKey('jwk', web.privateKey)).d!, 'base64url')),
    }
    const suite = byokSuite()
    const lib = await suite.kem.generateKeyPair()
    const libPair: X25519KeyPair = {
      publicKey: new Uint8Array(await suite.kem.serializePublicKey(lib.publicKey)),
      privateKey: new Uint8Array(await suite.kem.serializePrivateKey(lib.privateKey)),
    }
    for (const pair of [webPair, libPair]) {
      expect(Buffer.from(publicKeyFromPrivate(pair.privateKey)).equals(Buffer.from(pair.publicKey))).toBe(true)
      const s = await sealed(pair)
      expect(text(await openKey({privateKey: pair.privateKey, aad: encodeByokAad(fields), ...s}))).toBe(SECRET)
    }
    // A node:crypto private key imported into WebCrypto gives the same public key.
    const node = generateKeyPair()
    const imported = await webcrypto.subtle.importKey(
      'jwk',
      {kty: 'OKP', crv: 'X25519', d: Buffer.from(node.privateKey).toString('base64url'), x: Buffer.from(node.publicKey).toString('base64url')},
      {name: 'X25519'},
      true,
      ['deriveBits'],
    )
    const jwk = await webcrypto.subtle.exportKey('jwk', imported)
    expect(jwk.x).toBe(Buffer.from(node.publicKey).toString('base64url'))
  })

  it('refuses a kid that does not belong to the public key', async () => {
    const pair = generateKeyPair()
    await expect(
      sealKey({publicKey: pair.publicKey, kid: kidFor(generateKeyPair().publicKey), aad: encodeByokAad(fields), plaintext: utf8(SECRET)}),
    ).rejects.toThrow(TypeError)
    await expect(sealKey({publicKey: pair.publicKey, kid: 'not-a-kid', aad: encodeByokAad(fields), plaintext: utf8(SECRET)})).rejects.toThrow(
      TypeError,
    )
  })
})

describe('openKey rejects anything but the exact ciphertext, key, kid and AAD', () => {
  const pair = generateKeyPair()
  const good = sealed(pair)

  async function attempt(change: Partial<{privateKey: Uint8Array; kid: string; aad: Uint8Array; enc: string; ct: string}>) {
    const s = await good
    return openKey({privateKey: pair.privateKey, kid: s.kid, aad: encodeByokAad(fields), enc: s.enc, ct: s.ct, ...change})
  }

  async function expectRejected(promise: Promise<Uint8Array>) {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(OpenKeyError)
    expect(String((error as Error).message)).not.toContain(SECRET)
  }

  it('opens the untouched ciphertext (the control)', async () => {
    expect(text(await attempt({}))).toBe(SECRET)
  })

  it('another instance key pair', async () => {
    const other = generateKeyPair()
    await expectRejected(attempt({privateKey: other.privateKey}))
    await expectRejected(attempt({privateKey: other.privateKey, kid: kidFor(other.publicKey)}))
  })

  it('another kid (info)', async () => {
    await expectRejected(attempt({kid: kidFor(generateKeyPair().publicKey)}))
    await expectRejected(attempt({kid: '0000000000000000'}))
  })

  it('another user, instance, key name or version in the AAD', async () => {
    const changes: Partial<ByokAadFields>[] = [
      {userId: 'usr_cccccccccccccccccccc'},
      {instanceId: 'ins_dddddddddddddddddddd'},
      {keyName: 'openai'},
      {baseUrl: 'https://elsewhere.example/v1'},
      {version: 2},
      {version: 4},
    ]
    for (const change of changes) await expectRejected(attempt({aad: encodeByokAad({...fields, ...change})}))
    await expectRejected(attempt({aad: new Uint8Array()}))
  })

  it('a tampered enc', async () => {
    const s = await good
    for (const i of [0, 15, 31]) await expectRejected(attempt({enc: flip(s.enc, i)}))
    await expectRejected(attempt({enc: s.enc.slice(0, -2)}))
    await expectRejected(attempt({enc: `${s.enc}AA`}))
  })

  it('a tampered, truncated or extended ct', async () => {
    const s = await good
    for (const i of [0, 5, -17, -1]) await expectRejected(attempt({ct: flip(s.ct, i)}))
    await expectRejected(attempt({ct: Buffer.from(s.ct, 'base64url').subarray(0, -1).toString('base64url')}))
    await expectRejected(attempt({ct: Buffer.concat([Buffer.from(s.ct, 'base64url'), Buffer.from([0])]).toString('base64url')}))
    await expectRejected(attempt({ct: ''}))
  })

  it('base64url that is padded, non-canonical or not base64url at all', async () => {
    const s = await good
    await expectRejected(attempt({ct: `${s.ct}=`}))
    await expectRejected(attempt({enc: `${s.enc}=`}))
    await expectRejected(attempt({ct: s.ct.replace(/-/g, '+').replace(/_/g, '/') + (s.ct.match(/[-_]/) ? '' : '+')}))
    await expectRejected(attempt({ct: `${s.ct.slice(0, 4)} ${s.ct.slice(4)}`}))
    // 43 characters encode 32 bytes plus 2 spare bits; setting those bits must not decode to the same enc.
    const last = s.enc.at(-1)!
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!
    await expectRejected(attempt({enc: s.enc.slice(0, -1) + sibling}))
  })
})
