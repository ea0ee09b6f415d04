import {randomBytes, scrypt, timingSafeEqual} from 'node:crypto'

/**
 * Password hashing with scrypt (RFC 7914). The stored string carries its own parameters and salt,
 * `scrypt$N=32768,r=8,p=1$<salt b64>$<hash b64>`, so the cost can be raised later without
 * breaking existing accounts.
 */
export interface ScryptParams {
  N: number
  r: number
  p: number
}
export const DEFAULT_SCRYPT: ScryptParams = {N: 2 ** 15, r: 8, p: 1}
const KEY_LENGTH = 32
const SALT_LENGTH = 16
// Caps what a stored hash can make us allocate (a tampered row must not exhaust memory).
const MAX_N = 2 ** 20

function derive(password: string, salt: Buffer, params: ScryptParams, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, {...params, maxmem: 256 * params.N * params.r + 1024 * 1024}, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  const key = await derive(password, salt, params, KEY_LENGTH)
  return `scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`
}

function parseEncoded(encoded: string): {params: ScryptParams; salt: Buffer; key: Buffer} | null {
  const m = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(encoded)
  if (!m) return null
  const params = {N: Number(m[1]), r: Number(m[2]), p: Number(m[3])}
  if (params.N < 2 || params.N > MAX_N || (params.N & (params.N - 1)) !== 0 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) return null
  const key = Buffer.from(m[5]!, 'base64')
  if (key.length < 16) return null
  return {params, salt: Buffer.from(m[4]!, 'base64'), key}
}

/** Constant-time comparison of the derived key; a malformed stored hash never verifies. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseEncoded(encoded)
  if (!parsed) return false
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length)
  return timingSafeEqual(key, parsed.key)
}

/**
 * A hash of a random password, verified against when the email is unknown, so a sign-in attempt
 * takes as long for a missing account as for a wrong password.
 */
let decoy: Promise<string> | undefined
export function decoyPasswordHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'))
  return decoy
}
