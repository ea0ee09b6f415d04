import {randomBytes} from 'node:crypto'

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

/** A random id like `ins_k3…`: a type prefix, then 20 base32 characters (100 bits). */
export function newId(prefix: string): string {
  const bytes = randomBytes(20)
  let out = ''
  for (const b of bytes) out += BASE32[b & 31]
  return `${prefix}_${out}`
}
