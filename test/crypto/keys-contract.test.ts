import {describe, expect, it} from 'vitest'
import {
  BYOK_ALG,
  instancePublicKeySchema,
  keyMetadataSchema,
  keyNameSchema,
  keyNeedsBaseUrl,
  keyUploadSchema,
  listKeysResponseSchema,
  MAX_KEY_BYTES,
  providerForKeyName,
} from '../../src/contract/keys.js'
import {encodeByokAad} from '../../src/crypto/byok-aad.js'
import {keyFingerprint} from '../../src/crypto/fingerprint.js'
import {encodePublicKey, generateKeyPair, kidFor, sealKey} from '../../src/crypto/hpke.js'

const b64 = (n: number) => Buffer.alloc(n, 7).toString('base64url')

describe('key names and providers', () => {
  it('accepts the known providers and safe custom names', () => {
    for (const name of ['anthropic', 'openai', 'openai-compatible', 'dev', 'openrouter', 'my-llm-2', 'ab', `a${'b'.repeat(31)}`]) {
      expect(keyNameSchema.safeParse(name).success, name).toBe(true)
    }
  })

  it('refuses names that are unsafe in a path, a model name or a shell', () => {
    for (const name of ['', 'a', 'Anthropic', '1abc', '-abc', 'a_b', 'a.b', 'a/b', '../x', 'a b', `a${'b'.repeat(32)}`, 'ánthropic', 'a\n']) {
      expect(keyNameSchema.safeParse(name).success, JSON.stringify(name)).toBe(false)
    }
  })

  it('maps names to providers; custom names are OpenAI-compatible and need a base URL', () => {
    expect(providerForKeyName('anthropic')).toBe('anthropic')
    expect(providerForKeyName('openai')).toBe('openai')
    expect(providerForKeyName('dev')).toBe('dev')
    expect(providerForKeyName('openrouter')).toBe('openai-compatible')
    expect(keyNeedsBaseUrl('openai-compatible')).toBe(true)
    expect(keyNeedsBaseUrl('openrouter')).toBe(true)
    expect(keyNeedsBaseUrl('anthropic')).toBe(false)
    expect(keyNeedsBaseUrl('openai')).toBe(false)
  })
})

describe('instance public key', () => {
  it('matches what src/crypto/hpke.ts produces', () => {
    const {publicKey} = generateKeyPair()
    const body = {kid: kidFor(publicKey), public_key: encodePublicKey(publicKey), alg: BYOK_ALG}
    expect(instancePublicKeySchema.parse(body)).toEqual(body)
    expect(BYOK_ALG).toBe('X25519-HKDF-SHA256/HKDF-SHA256/AES-256-GCM')
  })

  it('refuses another alg, a short key or a bad kid', () => {
    const {publicKey} = generateKeyPair()
    const body = {kid: kidFor(publicKey), public_key: encodePublicKey(publicKey), alg: BYOK_ALG}
    expect(instancePublicKeySchema.safeParse({...body, alg: 'X25519-HKDF-SHA256/HKDF-SHA256/AES-128-GCM'}).success).toBe(false)
    expect(instancePublicKeySchema.safeParse({...body, public_key: b64(31)}).success).toBe(false)
    expect(instancePublicKeySchema.safeParse({...body, kid: body.kid.toUpperCase()}).success).toBe(false)
  })
})

describe('key upload', () => {
  async function realUpload() {
    const pair = generateKeyPair()
    const kid = kidFor(pair.publicKey)
    const key = 'sk-ant-canary-upload'
    const aad = encodeByokAad({userId: 'usr_x', instanceId: 'ins_x', keyName: 'anthropic', baseUrl: '', version: 1})
    const {enc, ct} = await sealKey({publicKey: pair.publicKey, kid, aad, plaintext: new TextEncoder().encode(key)})
    return {kid, enc, ct, version: 1, fingerprint: keyFingerprint(key)}
  }

  it('accepts what the CLI builds, with or without base_url', async () => {
    const body = await realUpload()
    expect(keyUploadSchema.parse(body)).toEqual(body)
    expect(keyUploadSchema.parse({...body, base_url: 'http://127.0.0.1:11434/v1'}).base_url).toBe('http://127.0.0.1:11434/v1')
  })

  it('is strict: unknown fields, such as a plaintext key, are refused', async () => {
    const body = await realUpload()
    expect(keyUploadSchema.safeParse({...body, key: 'sk-ant-oops'}).success).toBe(false)
    expect(keyUploadSchema.safeParse({...body, name: 'anthropic'}).success).toBe(false)
  })

  it('bounds enc and ct and requires base64url', async () => {
    const body = await realUpload()
    expect(keyUploadSchema.safeParse({...body, enc: b64(31)}).success).toBe(false)
    expect(keyUploadSchema.safeParse({...body, enc: b64(33)}).success).toBe(false)
    expect(keyUploadSchema.safeParse({...body, enc: `${body.enc}=`}).success).toBe(false)
    expect(keyUploadSchema.safeParse({...body, ct: b64(16)}).success).toBe(false)
    expect(keyUploadSchema.safeParse({...body, ct: b64(17)}).success).toBe(true)
    expect(keyUploadSchema.safeParse({...body, ct: b64(MAX_KEY_BYTES + 16)}).success).toBe(true)
    expect(keyUploadSchema.safeParse({...body, ct: b64(MAX_KEY_BYTES + 17)}).success).toBe(false)
    expect(keyUploadSchema.safeParse({...body, ct: `${body.ct.slice(0, 20)}+/${body.ct.slice(22)}`}).success).toBe(false)
    expect(keyUploadSchema.safeParse({...body, ct: `${body.ct}A`.slice(0, body.ct.length - (body.ct.length % 4) + 1)}).success).toBe(false)
  })

  it('needs a positive integer version and an 8-hex fingerprint', async () => {
    const body = await realUpload()
    for (const version of [0, -1, 1.5, '1', null]) {
      expect(keyUploadSchema.safeParse({...body, version}).success, String(version)).toBe(false)
    }
    for (const fingerprint of ['abc', 'ABCDEF12', 'abcdef123', 'zzzzzzzz']) {
      expect(keyUploadSchema.safeParse({...body, fingerprint}).success, fingerprint).toBe(false)
    }
  })

  it('accepts only http(s) base URLs without credentials', async () => {
    const body = await realUpload()
    for (const base_url of ['https://openrouter.ai/api/v1', 'http://localhost:8000/v1']) {
      expect(keyUploadSchema.safeParse({...body, base_url}).success, base_url).toBe(true)
    }
    for (const base_url of ['ftp://x.example', 'file:///etc/passwd', 'https://user:sk-secret@x.example/v1', 'https://x.example/v1#frag', 'not a url', `https://x.example/${'a'.repeat(2048)}`]) {
      expect(keyUploadSchema.safeParse({...body, base_url}).success, base_url.slice(0, 40)).toBe(false)
    }
  })
})

describe('key metadata', () => {
  const item = {
    name: 'anthropic',
    provider: 'anthropic',
    fingerprint: 'ba7816bf',
    base_url: null,
    version: 2,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-02T00:00:00.000Z',
    last_used_at: null,
  }

  it('describes a key without its ciphertext', () => {
    const parsed = listKeysResponseSchema.parse({keys: [item]})
    expect(parsed.keys[0]).toEqual(item)
    // Unknown fields (a ciphertext a buggy server leaked) are dropped, never passed on.
    const leaked = keyMetadataSchema.parse({...item, ct: 'AAAA', enc: 'BBBB'}) as Record<string, unknown>
    expect(leaked.ct).toBeUndefined()
    expect(leaked.enc).toBeUndefined()
    expect(Object.keys(keyMetadataSchema.shape).sort()).toEqual(
      ['base_url', 'created_at', 'fingerprint', 'last_used_at', 'name', 'provider', 'updated_at', 'version'].sort(),
    )
  })
})
