import {createHmac, randomBytes} from 'node:crypto'
import {crc32} from 'node:zlib'
import type {TokenKind} from '../contract/auth.js'

/**
 * Opaque bearer tokens (DESIGN §4): `clawd_<kind>_` + 30 random base62 characters + a 6-character
 * base62 CRC32 of everything before it. The checksum lets the CLI and secret scanners tell a real
 * token from a typo or a look-alike offline; it adds no secrecy (the 30 random characters carry
 * ~178 bits). The server stores only `hashToken(pepper, token)`.
 */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const RANDOM_LENGTH = 30
const CHECKSUM_LENGTH = 6
const TOKEN_PATTERN = /^clawd_(at|rt|pat)_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/

/** Uniform random characters from `alphabet` (rejection sampling, so no character is favoured). */
export function randomChars(length: number, alphabet: string = BASE62): string {
  const limit = 256 - (256 % alphabet.length)
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytes(Math.ceil((length - out.length) * 1.3) + 4)) {
      if (byte < limit) out += alphabet[byte % alphabet.length]
      if (out.length === length) break
    }
  }
  return out
}

/** A 32-bit number as exactly 6 base62 digits (62^6 > 2^32). */
function base62Fixed(value: number): string {
  let out = ''
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out
    value = Math.floor(value / 62)
  }
  return out
}

function checksum(body: string): string {
  return base62Fixed(crc32(body) >>> 0)
}

export function generateToken(kind: TokenKind): string {
  const body = `clawd_${kind}_${randomChars(RANDOM_LENGTH)}`
  return body + checksum(body)
}

export interface ParsedToken {
  kind: TokenKind
  token: string
}

/**
 * Recognises a well-formed token: right prefix, length and checksum. Anything else is `null`,
 * so a typo is caught before it is sent or looked up.
 */
export function parseToken(text: string): ParsedToken | null {
  const token = text.trim()
  const m = TOKEN_PATTERN.exec(token)
  if (!m) return null
  const body = token.slice(0, token.length - CHECKSUM_LENGTH)
  if (checksum(body) !== m[3]) return null
  return {kind: m[1] as TokenKind, token}
}

/** What the store keeps instead of the token: HMAC-SHA256 with the server's pepper, hex. */
export function hashToken(pepper: Buffer, token: string): string {
  return createHmac('sha256', pepper).update(token).digest('hex')
}

/** Length of every token of a kind, for scanners and input limits. */
export function tokenLength(kind: TokenKind): number {
  return `clawd_${kind}_`.length + RANDOM_LENGTH + CHECKSUM_LENGTH
}
