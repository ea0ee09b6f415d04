import {createHash} from 'node:crypto'

/**
 * What `keys list` shows to tell keys apart: the first 8 hex characters of the SHA-256 of the key.
 * The CLI computes it before sealing, since nobody else ever sees the key. 32 bits identify a key
 * to its owner ("is this the one I rotated?") without helping anyone guess it: provider keys carry
 * far more entropy than a fingerprint could narrow down.
 */
export function keyFingerprint(key: string | Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8)
}
