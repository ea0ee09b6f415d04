import {randomBytes} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import type {WorkspaceFile} from '../../src/contract/workspace.js'

/** A workspace that passes every rule: the base each conformance test breaks in one way. */
export function validWorkspace(): WorkspaceFile[] {
  return [
    {path: 'AGENTS.md', content: '# AGENTS.md\n\nBe concise. Read memory/ for context.\n\n---\n\nUse sk- prefixed keys only via the keyring.\n'},
    {path: 'SOUL.md', content: '# SOUL.md\n\nCurious, direct, kind.\n'},
    {path: 'IDENTITY.md', content: '# IDENTITY.md\n\n- Name: Pip\n- Emoji: 🦞\n'},
    {path: 'USER.md', content: '# USER.md\n\nCall me Sam. Prefers TypeScript. Café ☕ in the morning.\n'},
    {path: 'MEMORY.md', content: '# MEMORY.md\n\n- 2026-07-01: moved to Lisbon.\n'},
    {path: 'memory/2026-07-01.md', content: 'Talked about the move.\r\nPacked boxes.\r\n'},
    {path: 'memory/2026-07-02-trip-plans.md', content: 'Train to Porto on Friday.\n'},
  ]
}

/** Files whose content does not matter to the test (it is 'x'), in the order given. */
export function stubs(...paths: string[]): WorkspaceFile[] {
  return paths.map((path) => ({path, content: 'x'}))
}

/** Writes files into dir, creating parents; bytes as given. */
export function writeTree(dir: string, files: Array<{path: string; content: string | Uint8Array}>): void {
  for (const f of files) {
    const abs = join(dir, ...f.path.split('/'))
    mkdirSync(dirname(abs), {recursive: true})
    writeFileSync(abs, f.content)
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** Random characters from an alphabet: fake credentials are made at run time, never committed. */
export function randomFrom(alphabet: string, length: number, rng: () => number = Math.random): string {
  const chars = Array.from(alphabet) // code points, so an emoji is never split into lone surrogates
  let s = ''
  for (let i = 0; i < length; i++) s += chars[Math.floor(rng() * chars.length)]
  return s
}

/** Random base62 that surely has upper case, lower case and digits (as real keys do). */
export function base62(length: number): string {
  for (;;) {
    const s = randomFrom(BASE62, length, () => randomBytes(4).readUInt32BE() / 2 ** 32)
    if (/[0-9]/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s)) return s
  }
}

export {seededRandom as prng} from '../helpers/random.js'
