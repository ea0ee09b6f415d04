import {Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256} from '@hpke/core'
import {isKid} from './kid.js'

/**
 * The BYOK HPKE suite and its `info`, with no Node-only import: the CLI (hpke.ts), the instance
 * and the console's browser script (served as is, src/server/console/static.ts) all seal and open
 * with exactly these, so a key sealed in a browser opens in the instance like one from the CLI.
 */
export const BYOK_INFO_PREFIX = 'clawd/byok/v1|'

/** The one suite BYOK uses: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM. */
export function byokSuite(): CipherSuite {
  return new CipherSuite({kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm()})
}

/** `info` for the HPKE key schedule: the protocol label and the recipient key id. */
export function byokInfo(kid: string): Uint8Array {
  if (!isKid(kid)) throw new TypeError('kid must be 16 lowercase hex characters')
  return new TextEncoder().encode(BYOK_INFO_PREFIX + kid)
}
