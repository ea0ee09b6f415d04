import {readFileSync} from 'node:fs'
import {Aes128Gcm, AeadId, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, KdfId, KemId} from '@hpke/core'
import {describe, expect, it} from 'vitest'
import {byokSuite, kidFor, publicKeyFromPrivate} from '../../src/crypto/hpke.js'
import {aeadOpen, decap, keySchedule, x25519PublicFromPrivate} from './reference-hpke.js'

/**
 * Known answers: the RFC 9180 test vectors (cfrg/draft-irtf-cfrg-hpke test-vectors.json, the
 * version published with the RFC) for DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 in base mode:
 * AES-128-GCM (RFC 9180 Appendix A.1.1) and AES-256-GCM, the suite BYOK uses.
 */
interface Vector {
  mode: number
  kem_id: number
  kdf_id: number
  aead_id: 1 | 2
  info: string
  ikmR: string
  ikmE: string
  skRm: string
  skEm: string
  pkRm: string
  pkEm: string
  enc: string
  shared_secret: string
  key_schedule_context: string
  secret: string
  key: string
  base_nonce: string
  exporter_secret: string
  encryptions: {seq: number; aad: string; ct: string; nonce: string; pt: string}[]
  exports: {exporter_context: string; L: number; exported_value: string}[]
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/hpke/rfc9180-x25519-sha256-base.json', import.meta.url), 'utf8'),
) as {vectors: Vector[]}

const hex = (s: string) => Buffer.from(s, 'hex')
const toHex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex')

function suiteFor(aeadId: 1 | 2): CipherSuite {
  // AES-256-GCM must be exactly the suite the product seals with; A.1.1 only swaps the AEAD.
  return aeadId === 2 ? byokSuite() : new CipherSuite({kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm()})
}

const a11 = fixture.vectors.find((v) => v.aead_id === 1)!
const aes256 = fixture.vectors.find((v) => v.aead_id === 2)!

describe('RFC 9180 test vectors', () => {
  it('are the vectors we mean', () => {
    expect(fixture.vectors).toHaveLength(2)
    for (const v of fixture.vectors) {
      expect([v.mode, v.kem_id, v.kdf_id]).toEqual([0, 0x20, 1])
      expect(v.encryptions.map((e) => e.seq)).toEqual([0, 1, 2, 3, 255, 256])
    }
    // RFC 9180 A.1.1, as printed in the RFC.
    expect(a11.ikmE).toBe('7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234')
    expect(a11.pkRm).toBe('3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d')
    expect(a11.skRm).toBe('4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8')
    expect(a11.shared_secret).toBe('fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc')
    expect(a11.encryptions[0]!.ct).toBe(
      'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a',
    )
  })

  it('byokSuite is DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM', () => {
    const suite = byokSuite()
    expect(suite.kem.id).toBe(KemId.DhkemX25519HkdfSha256)
    expect(suite.kdf.id).toBe(KdfId.HkdfSha256)
    expect(suite.aead.id).toBe(AeadId.Aes256Gcm)
    expect(aes256.aead_id).toBe(AeadId.Aes256Gcm)
  })

  for (const v of [a11, aes256]) {
    const name = v.aead_id === 1 ? 'AES-128-GCM (A.1.1)' : 'AES-256-GCM'
    describe(name, () => {
      it('derives the key pairs from ikmE and ikmR', async () => {
        const suite = suiteFor(v.aead_id)
        const eph = await suite.kem.deriveKeyPair(hex(v.ikmE))
        const rcp = await suite.kem.deriveKeyPair(hex(v.ikmR))
        expect(toHex(await suite.kem.serializePrivateKey(eph.privateKey))).toBe(v.skEm)
        expect(toHex(await suite.kem.serializePublicKey(eph.publicKey))).toBe(v.pkEm)
        expect(toHex(await suite.kem.serializePrivateKey(rcp.privateKey))).toBe(v.skRm)
        expect(toHex(await suite.kem.serializePublicKey(rcp.publicKey))).toBe(v.pkRm)
      })

      it('our raw-key helper (node:crypto) derives pkRm from skRm', () => {
        expect(toHex(publicKeyFromPrivate(hex(v.skRm)))).toBe(v.pkRm)
        expect(kidFor(hex(v.pkRm))).toMatch(/^[0-9a-f]{16}$/)
      })

      it('seals to enc and each listed ciphertext, and exports the listed values', async () => {
        const suite = suiteFor(v.aead_id)
        const sender = await suite.createSenderContext({
          recipientPublicKey: await suite.kem.deserializePublicKey(hex(v.pkRm)),
          info: hex(v.info),
          // The ephemeral key pair from the vector, imported from the raw skEm we also use for keys.
          ekm: {
            privateKey: await suite.kem.deserializePrivateKey(hex(v.skEm)),
            publicKey: await suite.kem.deserializePublicKey(hex(v.pkEm)),
          },
        })
        expect(toHex(sender.enc)).toBe(v.enc)
        const wanted = new Map(v.encryptions.map((e) => [e.seq, e]))
        const last = Math.max(...wanted.keys())
        let checked = 0
        for (let seq = 0; seq <= last; seq++) {
          const e = wanted.get(seq)
          // Sequence numbers only advance by sealing, so seal the pt of the vector every time.
          const ct = await sender.seal(hex(v.encryptions[0]!.pt), hex(e?.aad ?? v.encryptions[0]!.aad))
          if (e) {
            expect(toHex(ct), `seq ${seq}`).toBe(e.ct)
            checked++
          }
        }
        expect(checked).toBe(v.encryptions.length)
        for (const x of v.exports) {
          expect(toHex(await sender.export(hex(x.exporter_context), x.L))).toBe(x.exported_value)
        }
      })

      it('opens the listed ciphertexts in order with skRm imported raw', async () => {
        const suite = suiteFor(v.aead_id)
        const recipient = await suite.createRecipientContext({
          recipientKey: await suite.kem.deserializePrivateKey(hex(v.skRm)),
          enc: hex(v.enc),
          info: hex(v.info),
        })
        for (const e of v.encryptions.filter((x) => x.seq < 4)) {
          expect(toHex(await recipient.open(hex(e.ct), hex(e.aad)))).toBe(e.pt)
        }
        for (const x of v.exports) {
          expect(toHex(await recipient.export(hex(x.exporter_context), x.L))).toBe(x.exported_value)
        }
      })

      it('the independent reference reproduces the key schedule and opens every listed ciphertext', () => {
        expect(toHex(x25519PublicFromPrivate(hex(v.skRm)))).toBe(v.pkRm)
        const shared = decap(hex(v.enc), hex(v.skRm))
        expect(toHex(shared)).toBe(v.shared_secret)
        const ks = keySchedule(v.aead_id, shared, hex(v.info))
        expect(toHex(ks.keyScheduleContext)).toBe(v.key_schedule_context)
        expect(toHex(ks.secret)).toBe(v.secret)
        expect(toHex(ks.key)).toBe(v.key)
        expect(toHex(ks.baseNonce)).toBe(v.base_nonce)
        expect(toHex(ks.exporterSecret)).toBe(v.exporter_secret)
        for (const e of v.encryptions) {
          expect(toHex(aeadOpen(v.aead_id, ks, e.seq, hex(e.aad), hex(e.ct)))).toBe(e.pt)
        }
        const bad = hex(v.encryptions[0]!.ct)
        bad[0]! ^= 1
        expect(() => aeadOpen(v.aead_id, ks, 0, hex(v.encryptions[0]!.aad), bad)).toThrow()
      })
    })
  }
})
