import {randomInt} from 'node:crypto'

/** OpenClaw's pairing alphabet: no 0/O or 1/I, so a code read off a phone is typed right. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

export function newPairingCode(): string {
  let code = ''
  for (let i = 0; i < 8; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  return code
}
