import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'

/**
 * AES-256-GCM envelopes: a versioned compact format used for every secret at rest (wrapped data
 * keys in the store, the instance's files on disk).
 *
 *   binary:  version (1 byte, 0x01) | nonce (12 bytes, random) | ciphertext | tag (16 bytes)
 *   string:  "v1." + base64url(binary without the version byte)
 *
 * The version byte is authenticated too (it is prepended to the caller's AAD), so a future format
 * can never be confused with this one. Nonces are random: with at most a few million messages per
 * key the collision risk stays far below NIST's 2^-32 bound.
 */
export const AEAD_VERSION = 0x01
export const KEY_BYTES = 32
export const NONCE_BYTES = 12
export const TAG_BYTES = 16
/** The smallest envelope: header, nonce and tag around an empty plaintext. */
export const ENVELOPE_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES

const STRING_PREFIX = 'v1.'

/** Decryption failed: wrong key, wrong AAD, or the bytes were changed. Deliberately no detail. */
export class AeadError extends Error {
  constructor(message = 'decryption failed: wrong key, wrong context, or tampered data') {
    super(message)
    this.name = 'AeadError'
  }
}

type Aad = string | Uint8Array

function aadBytes(aad: Aad): Buffer {
  const header = Buffer.of(AEAD_VERSION)
  return Buffer.concat([header, typeof aad === 'string' ? Buffer.from(aad, 'utf8') : aad])
}

function checkKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new TypeError(`AES-256-GCM needs a ${KEY_BYTES}-byte key, got ${key.length}`)
}

/** Encrypts `plaintext` under `key`, bound to `aad` (which is authenticated, not stored). */
export function seal(key: Uint8Array, plaintext: Uint8Array | string, aad: Aad): Buffer {
  checkKey(key)
  const nonce = randomBytes(NONCE_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, nonce, {authTagLength: TAG_BYTES})
  cipher.setAAD(aadBytes(aad))
  const body = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext
  const ct = Buffer.concat([cipher.update(body), cipher.final()])
  return Buffer.concat([Buffer.of(AEAD_VERSION), nonce, ct, cipher.getAuthTag()])
}

/** Decrypts an envelope made by `seal` with the same key and AAD, or throws AeadError. */
export function open(key: Uint8Array, envelope: Uint8Array, aad: Aad): Buffer {
  checkKey(key)
  if (envelope.length < ENVELOPE_OVERHEAD || envelope[0] !== AEAD_VERSION) throw new AeadError()
  const buf = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength)
  const nonce = buf.subarray(1, 1 + NONCE_BYTES)
  const tag = buf.subarray(buf.length - TAG_BYTES)
  const ct = buf.subarray(1 + NONCE_BYTES, buf.length - TAG_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, {authTagLength: TAG_BYTES})
  decipher.setAAD(aadBytes(aad))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()])
  } catch {
    throw new AeadError()
  }
}

/** `seal`, as a compact string for text columns and JSON. */
export function sealToString(key: Uint8Array, plaintext: Uint8Array | string, aad: Aad): string {
  return STRING_PREFIX + seal(key, plaintext, aad).subarray(1).toString('base64url')
}

/** `open` for a string made by `sealToString`. */
export function openString(key: Uint8Array, sealed: string, aad: Aad): Buffer {
  if (!sealed.startsWith(STRING_PREFIX)) throw new AeadError()
  const body = Buffer.from(sealed.slice(STRING_PREFIX.length), 'base64url')
  return open(key, Buffer.concat([Buffer.of(AEAD_VERSION), body]), aad)
}

/** A fresh random 256-bit data key for one instance. */
export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES)
}

/** The AAD of a wrapped data key: a data key unwraps only for the instance it was made for. */
function dataKeyAad(instanceId: string): string {
  if (!instanceId) throw new TypeError('instanceId is required')
  return `clawd/data-key/v1|${instanceId}`
}

/** Wraps an instance's data key under the server's wrapping key (a master-key subkey). */
export function wrapDataKey(wrapKey: Uint8Array, dataKey: Uint8Array, instanceId: string): string {
  checkKey(dataKey)
  return sealToString(wrapKey, dataKey, dataKeyAad(instanceId))
}

/** Unwraps a data key made by `wrapDataKey` for the same instance, or throws AeadError. */
export function unwrapDataKey(wrapKey: Uint8Array, wrapped: string, instanceId: string): Buffer {
  const key = openString(wrapKey, wrapped, dataKeyAad(instanceId))
  if (key.length !== KEY_BYTES) throw new AeadError()
  return key
}
