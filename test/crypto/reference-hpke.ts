import {createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman} from 'node:crypto'

/**
 * A second, independent reading of RFC 9180 base mode for DHKEM(X25519, HKDF-SHA256) and
 * HKDF-SHA256, written from the RFC with node:crypto only. The tests check it against the RFC's
 * own vectors, then use it to open what src/crypto/hpke.ts seals: if our wiring put `info` or the
 * AAD anywhere but where the RFC says, this would not open it.
 */
const KEM_ID = 0x0020
const KDF_ID = 0x0001
const VERSION_LABEL = Buffer.from('HPKE-v1')

function i2osp(value: number, length: number): Buffer {
  const out = Buffer.alloc(length)
  for (let i = length - 1; i >= 0 && value > 0; i--) {
    out[i] = value & 0xff
    value = Math.floor(value / 256)
  }
  return out
}

function extract(salt: Buffer, ikm: Buffer): Buffer {
  return createHmac('sha256', salt).update(ikm).digest()
}

function expand(prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = []
  let previous = Buffer.alloc(0)
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    previous = createHmac('sha256', prk)
      .update(Buffer.concat([previous, info, Buffer.from([i])]))
      .digest()
    blocks.push(previous)
  }
  return Buffer.concat(blocks).subarray(0, length)
}

function labeledExtract(suiteId: Buffer, salt: Buffer, label: string, ikm: Buffer): Buffer {
  return extract(salt, Buffer.concat([VERSION_LABEL, suiteId, Buffer.from(label), ikm]))
}

function labeledExpand(suiteId: Buffer, prk: Buffer, label: string, info: Buffer, length: number): Buffer {
  return expand(prk, Buffer.concat([i2osp(length, 2), VERSION_LABEL, suiteId, Buffer.from(label), info]), length)
}

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex')

export function x25519PublicFromPrivate(skR: Buffer): Buffer {
  const priv = createPrivateKey({key: Buffer.concat([PKCS8_X25519, skR]), format: 'der', type: 'pkcs8'})
  return Buffer.from(createPublicKey(priv).export({format: 'der', type: 'spki'})).subarray(SPKI_X25519.length)
}

/** DHKEM Decap (RFC 9180 §4.1). */
export function decap(enc: Buffer, skR: Buffer): Buffer {
  const kemSuite = Buffer.concat([Buffer.from('KEM'), i2osp(KEM_ID, 2)])
  const privateKey = createPrivateKey({key: Buffer.concat([PKCS8_X25519, skR]), format: 'der', type: 'pkcs8'})
  const publicKey = createPublicKey({key: Buffer.concat([SPKI_X25519, enc]), format: 'der', type: 'spki'})
  const dh = diffieHellman({privateKey, publicKey})
  const kemContext = Buffer.concat([enc, x25519PublicFromPrivate(skR)])
  const eaePrk = labeledExtract(kemSuite, Buffer.alloc(0), 'eae_prk', dh)
  return labeledExpand(kemSuite, eaePrk, 'shared_secret', kemContext, 32)
}

export interface Schedule {
  keyScheduleContext: Buffer
  secret: Buffer
  key: Buffer
  baseNonce: Buffer
  exporterSecret: Buffer
}

/** KeySchedule for mode_base (RFC 9180 §5.1), for AES-128-GCM (1) or AES-256-GCM (2). */
export function keySchedule(aeadId: 1 | 2, sharedSecret: Buffer, info: Buffer): Schedule {
  const suiteId = Buffer.concat([Buffer.from('HPKE'), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(aeadId, 2)])
  const empty = Buffer.alloc(0)
  const pskIdHash = labeledExtract(suiteId, empty, 'psk_id_hash', empty)
  const infoHash = labeledExtract(suiteId, empty, 'info_hash', info)
  const keyScheduleContext = Buffer.concat([Buffer.from([0]), pskIdHash, infoHash])
  const secret = labeledExtract(suiteId, sharedSecret, 'secret', empty)
  return {
    keyScheduleContext,
    secret,
    key: labeledExpand(suiteId, secret, 'key', keyScheduleContext, aeadId === 1 ? 16 : 32),
    baseNonce: labeledExpand(suiteId, secret, 'base_nonce', keyScheduleContext, 12),
    exporterSecret: labeledExpand(suiteId, secret, 'exp', keyScheduleContext, 32),
  }
}

/** Opens the message with sequence number `seq` (RFC 9180 §5.2). Throws when it does not authenticate. */
export function aeadOpen(aeadId: 1 | 2, schedule: Schedule, seq: number, aad: Buffer, ct: Buffer): Buffer {
  const nonce = Buffer.from(schedule.baseNonce)
  const seqBytes = i2osp(seq, 12)
  for (let i = 0; i < 12; i++) nonce[i]! ^= seqBytes[i]!
  const decipher = createDecipheriv(aeadId === 1 ? 'aes-128-gcm' : 'aes-256-gcm', schedule.key, nonce)
  decipher.setAAD(aad)
  decipher.setAuthTag(ct.subarray(ct.length - 16))
  return Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()])
}
