import {createHash, createPrivateKey, createPublicKey, generateKeyPairSync} from 'node:crypto'

/**
 * X25519 key pairs as raw 32-byte values (RFC 7748 encoding) and their key ids, with node:crypto
 * only. The instance makes its key pair with these at creation; HPKE itself (hpke.ts, which loads
 * @hpke/core) is needed only when a key is sealed or opened.
 */
export const X25519_KEY_BYTES = 32

export interface X25519KeyPair {
  /** Raw 32-byte public key. */
  publicKey: Uint8Array
  /** Raw 32-byte private key (scalar before clamping, as RFC 7748 encodes it). Keep it secret. */
  privateKey: Uint8Array
}

/** The instance's key pair. node:crypto is used so the instance needs no WebCrypto at start-up. */
export function generateKeyPair(): X25519KeyPair {
  const {publicKey, privateKey} = generateKeyPairSync('x25519')
  return {
    publicKey: rawFromJwk(publicKey.export({format: 'jwk'}).x),
    privateKey: rawFromJwk(privateKey.export({format: 'jwk'}).d),
  }
}

// PKCS#8 wrapping of a raw X25519 private key (RFC 8410): a fixed 16-byte header, then the key.
const PKCS8_X25519_HEADER = Buffer.from('302e020100300506032b656e04220420', 'hex')

/** The raw public key that belongs to a raw private key, e.g. after loading it from disk. */
export function publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  checkLength(privateKey, X25519_KEY_BYTES, 'X25519 private key')
  const der = Buffer.concat([PKCS8_X25519_HEADER, privateKey])
  try {
    const key = createPrivateKey({key: der, format: 'der', type: 'pkcs8'})
    return rawFromJwk(createPublicKey(key).export({format: 'jwk'}).x)
  } finally {
    der.fill(0)
  }
}

/**
 * A short, stable id for a public key: the first 16 hex characters (64 bits) of its SHA-256.
 * It names the key in `info` and in the API, so a rotated key pair gets a new kid and old
 * ciphertexts stop opening instead of silently decrypting under the wrong key.
 */
export function kidFor(publicKey: Uint8Array): string {
  checkLength(publicKey, X25519_KEY_BYTES, 'X25519 public key')
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16)
}

function rawFromJwk(value: string | undefined): Uint8Array {
  if (!value) throw new Error('X25519 JWK export without key material')
  return new Uint8Array(Buffer.from(value, 'base64url'))
}

export function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) throw new TypeError(`${what} must be ${length} bytes`)
}
