import {hkdfSync} from 'node:crypto'

/**
 * Derives an independent 32-byte subkey from the master key for one purpose (token pepper, data
 * key wrapping, cookie signing). One secret to manage; a leak of one subkey reveals no other.
 */
export function deriveSubkey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `clawd/${purpose}/v1`, 32))
}
