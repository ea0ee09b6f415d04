import {randomChars} from '../../crypto/tokens.js'

/**
 * RFC 8628 §6.1 user codes: 8 characters from 20 consonants (no vowels, so no words; no look-alike
 * digits), shown as XXXX-XXXX. 20^8 ≈ 2.6·10^10 codes against a handful alive at once, and code
 * entry is rate-limited, so guessing is hopeless.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'

export function generateUserCode(): string {
  return randomChars(8, USER_CODE_ALPHABET)
}

/** `BCDFGHJK` → `BCDF-GHJK`. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

/** What a person typed, in canonical form: case, dashes and spaces are forgiven. `null` if it cannot be a code. */
export function normalizeUserCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '')
  return code.length === 8 && [...code].every((c) => USER_CODE_ALPHABET.includes(c)) ? code : null
}
