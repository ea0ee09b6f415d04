import {describe, expect, it} from 'vitest'
import {decodeByokAad, encodeByokAad, type ByokAadFields} from '../../src/crypto/byok-aad.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const base: ByokAadFields = {userId: 'usr_1', instanceId: 'ins_1', keyName: 'anthropic', baseUrl: '', version: 1}

describe('encodeByokAad', () => {
  it('has a fixed, documented layout (CLI, API and instance must agree byte for byte)', () => {
    const expected =
      Buffer.from('clawd/byok-aad').toString('hex') +
      '0002' +
      '00000001' + '75' + // "u"
      '00000002' + '6931' + // "i1"
      '00000000' + // ""
      '00000003' + '683a2f' + // "h:/"
      '0000000000000102' // 258
    expect(hex(encodeByokAad({userId: 'u', instanceId: 'i1', keyName: '', baseUrl: 'h:/', version: 258}))).toBe(expected)
  })

  it('never gives two different tuples the same bytes (separators, empty strings, shifted boundaries)', () => {
    const tuples: ByokAadFields[] = [
      base,
      {...base, userId: 'usr_1|ins_1', instanceId: ''},
      {...base, userId: 'usr_1', instanceId: '|ins_1'},
      {...base, userId: 'usr_1|', instanceId: 'ins_1'},
      {...base, userId: '', instanceId: 'usr_1ins_1'},
      {...base, userId: 'usr_1ins_1', instanceId: ''},
      {...base, userId: 'usr_1\u0000', instanceId: 'ins_1'},
      {...base, userId: 'usr_1', instanceId: '\u0000ins_1'},
      {...base, instanceId: 'ins_1\u0000\u0000\u0000\u0009', keyName: 'anthropic'},
      {...base, instanceId: 'ins_1', keyName: '\u0000\u0000\u0000\u0009anthropic'},
      {...base, keyName: 'anthropic', version: 2},
      {...base, keyName: 'anthropic\u0000\u0000\u0000\u0000\u0000\u0000\u0000', version: 1},
      {...base, version: 256},
      {...base, version: 2 ** 32},
      {...base, version: 2 ** 32 + 1},
      {...base, version: Number.MAX_SAFE_INTEGER},
      {userId: '', instanceId: '', keyName: '', baseUrl: '', version: 1},
      {userId: '', instanceId: '', keyName: '', baseUrl: '', version: 2},
      {userId: ':', instanceId: '', keyName: '', baseUrl: '', version: 1},
      {userId: '', instanceId: ':', keyName: '', baseUrl: '', version: 1},
      {userId: '', instanceId: '', keyName: ':', baseUrl: '', version: 1},
      // Unicode: composed and decomposed forms are different strings, so they must stay different.
      {...base, userId: 'caf\u00e9'},
      {...base, userId: 'cafe\u0301'},
      {...base, userId: '\ufeffusr_1'},
      {...base, userId: '\u{1f600}'},
      {...base, userId: '\ufffd'},
      {...base, userId: '\ufffd\ufffd'},
      // The endpoint is bound: the same key for another host is another tuple.
      {...base, baseUrl: 'https://api.example.com/v1'},
      {...base, baseUrl: 'https://evil.example/v1'},
      {...base, keyName: 'anthropichttps://api.example.com/v1'},
    ]
    const seen = new Map<string, ByokAadFields>()
    for (const t of tuples) {
      const key = hex(encodeByokAad(t))
      expect(seen.get(key), JSON.stringify(t)).toBeUndefined()
      seen.set(key, t)
    }
    expect(seen.size).toBe(tuples.length)
  })

  it('is recovered exactly by decodeByokAad (so the encoding is injective), also for random tuples', () => {
    // Deterministic pseudo-random strings over an alphabet full of separators and multi-byte code points.
    const alphabet = ['a', '|', ':', '\u0000', '\u0001', '\n', '\u00e9', '\u0301', '\u{1f600}', '\ufeff', '\ufffd', ' ', '\\', '"']
    let seed = 42
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed
    }
    const randomString = () => Array.from({length: next() % 6}, () => alphabet[next() % alphabet.length]).join('')
    const seen = new Set<string>()
    for (let i = 0; i < 500; i++) {
      const t: ByokAadFields = {userId: randomString(), instanceId: randomString(), keyName: randomString(), baseUrl: randomString(), version: 1 + (next() % 5)}
      const bytes = encodeByokAad(t)
      expect(decodeByokAad(bytes)).toEqual(t)
      seen.add(`${hex(bytes)}`)
    }
    expect(seen.size).toBeGreaterThan(400)
    for (const t of [base, {userId: '', instanceId: '', keyName: '', baseUrl: '', version: Number.MAX_SAFE_INTEGER}, {...base, userId: '\ufeffx'}]) {
      expect(decodeByokAad(encodeByokAad(t))).toEqual(t)
    }
  })

  it('refuses lone surrogates, which UTF-8 would turn into U+FFFD and so collide', () => {
    expect(() => encodeByokAad({...base, userId: '\ud800'})).toThrow(TypeError)
    expect(() => encodeByokAad({...base, instanceId: 'x\udc00'})).toThrow(TypeError)
    expect(() => encodeByokAad({...base, keyName: '\ud83d'})).toThrow(TypeError)
    // A proper pair is fine.
    expect(() => encodeByokAad({...base, keyName: '\ud83d\ude00'})).not.toThrow()
  })

  it('refuses versions that are not positive safe integers', () => {
    for (const version of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => encodeByokAad({...base, version}), String(version)).toThrow(TypeError)
    }
    expect(() => encodeByokAad({...base, version: '1' as unknown as number})).toThrow(TypeError)
  })

  it('refuses absurdly long fields', () => {
    expect(() => encodeByokAad({...base, userId: 'x'.repeat(1025)})).toThrow(TypeError)
    expect(() => encodeByokAad({...base, userId: 'x'.repeat(1024)})).not.toThrow()
  })
})

describe('decodeByokAad', () => {
  const good = encodeByokAad(base)

  it('rejects another tag or format version', () => {
    const wrongVersion = Uint8Array.from(good)
    wrongVersion[15] = 1 // the format before the base URL was bound
    expect(() => decodeByokAad(wrongVersion)).toThrow(TypeError)
    const wrongTag = Uint8Array.from(good)
    wrongTag[0] = 0x43
    expect(() => decodeByokAad(wrongTag)).toThrow(TypeError)
  })

  it('rejects truncated input, trailing bytes, a zero version and invalid UTF-8', () => {
    expect(() => decodeByokAad(good.subarray(0, good.length - 1))).toThrow(TypeError)
    expect(() => decodeByokAad(new Uint8Array([...good, 0]))).toThrow(TypeError)
    expect(() => decodeByokAad(new Uint8Array())).toThrow(TypeError)
    const zero = Uint8Array.from(good)
    zero.fill(0, zero.length - 8)
    expect(() => decodeByokAad(zero)).toThrow(TypeError)
    const bad = encodeByokAad({...base, userId: 'ab'})
    bad[20] = 0xff // first byte of "ab"
    expect(() => decodeByokAad(bad)).toThrow(TypeError)
  })
})
