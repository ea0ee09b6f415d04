import {TAG_BYTES} from './aead.js'
import {byokInfo, byokSuite} from './byok-suite.js'
import {checkLength, kidFor, X25519_KEY_BYTES} from './x25519.js'

// Key pairs and kids need only node:crypto; they live in x25519.ts so the instance can make its key
// pair without loading HPKE. Re-exported here, where callers of the BYOK suite look for them.
export {generateKeyPair, kidFor, publicKeyFromPrivate, type X25519KeyPair} from './x25519.js'

/**
 * BYOK sealing (DESIGN §1): the CLI seals a provider key to the instance's X25519 public key with
 * HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM. Only the
 * instance holds the private key, so the API stores and forwards ciphertext it cannot open.
 *
 * `info` names the protocol and the instance key (`clawd/byok/v1|<kid>`), so a ciphertext made for
 * one key pair or protocol version never opens under another; the AAD (src/crypto/byok-aad.ts)
 * binds it to user, instance, key name and version.
 *
 * Keys cross this module as raw 32-byte X25519 values (RFC 7748 encoding), which is what HPKE
 * serialises, what WebCrypto exports as `raw` (public) and JWK `d` (private), and what the instance
 * stores encrypted under its data key.
 */
export {BYOK_INFO_PREFIX, byokSuite} from './byok-suite.js'
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/

export interface SealedKey {
  /** base64url (no padding) of the 32-byte encapsulated ephemeral public key. */
  enc: string
  /** base64url (no padding) of the AES-256-GCM ciphertext and tag. */
  ct: string
}

/** What a sealed key is bound to: the instance key (by its kid, in `info`) and the AAD. */
interface Binding {
  kid: string
  aad: Uint8Array
}

/** Seals `plaintext` to the instance public key. Each call uses a fresh ephemeral key. */
export async function sealKey(opts: Binding & {publicKey: Uint8Array; plaintext: Uint8Array}): Promise<SealedKey> {
  checkLength(opts.publicKey, X25519_KEY_BYTES, 'X25519 public key')
  if (kidFor(opts.publicKey) !== opts.kid) throw new TypeError('kid does not belong to this public key')
  const suite = byokSuite()
  const recipientPublicKey = await suite.kem.deserializePublicKey(opts.publicKey)
  const sealed = await suite.seal({recipientPublicKey, info: byokInfo(opts.kid)}, opts.plaintext, opts.aad)
  return {enc: toBase64url(new Uint8Array(sealed.enc)), ct: toBase64url(new Uint8Array(sealed.ct))}
}

/**
 * Why a sealed key did not open. Deliberately vague: whether the kid, the AAD or the bytes were
 * wrong is not something to tell whoever sent them, and no detail may carry key material.
 */
export class OpenKeyError extends Error {
  constructor(cause?: unknown) {
    super('The sealed key could not be opened: it was made for another instance, key name or version, or it was altered.', {
      cause,
    })
    this.name = 'OpenKeyError'
  }
}

/**
 * Opens a sealed key. The result is the only copy of the plaintext: the caller zeroes it
 * (`.fill(0)`) as soon as it has used it.
 */
export async function openKey(opts: Binding & SealedKey & {privateKey: Uint8Array}): Promise<Uint8Array> {
  checkLength(opts.privateKey, X25519_KEY_BYTES, 'X25519 private key')
  const info = byokInfo(opts.kid)
  const enc = fromBase64url(opts.enc)
  const ct = fromBase64url(opts.ct)
  // HPKE's `enc` for DHKEM(X25519) is the ephemeral public key; AES-GCM appends its tag to `ct`.
  if (!enc || enc.length !== X25519_KEY_BYTES || !ct || ct.length < TAG_BYTES) throw new OpenKeyError()
  const suite = byokSuite()
  const recipientKey = await suite.kem.deserializePrivateKey(opts.privateKey).catch((error: unknown) => {
    throw new TypeError('invalid X25519 private key', {cause: error})
  })
  try {
    return new Uint8Array(await suite.open({recipientKey, enc, info}, ct, opts.aad))
  } catch (error) {
    throw new OpenKeyError(error)
  }
}

/** Public keys travel as unpadded base64url of the raw 32 bytes. */
export function encodePublicKey(publicKey: Uint8Array): string {
  checkLength(publicKey, X25519_KEY_BYTES, 'X25519 public key')
  return toBase64url(publicKey)
}

export function decodePublicKey(encoded: string): Uint8Array {
  const raw = fromBase64url(encoded)
  if (!raw || raw.length !== X25519_KEY_BYTES) throw new TypeError('public key must be 32 bytes of unpadded base64url')
  return raw
}

function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}

/** Strict: Buffer's own decoder skips characters it does not know, which would hide tampering. */
function fromBase64url(value: string): Uint8Array | undefined {
  if (!BASE64URL_PATTERN.test(value) || value.length % 4 === 1) return undefined
  const bytes = new Uint8Array(Buffer.from(value, 'base64url'))
  // Reject non-canonical encodings (stray bits in the last character) so each value has one spelling.
  return toBase64url(bytes) === value ? bytes : undefined
}
