import type {WorkspaceRejection} from '../contract/workspace.js'
import {displayPath} from './files.js'

/**
 * Refuses workspace text that looks like a credential, so an export never carries a key into a
 * git repository or a shared archive. A finding names the file and line and shows only the
 * pattern's fixed public prefix (`sk-ant-****`): never a character of the secret itself, because
 * the message lands in terminals, CI logs and API responses.
 *
 * Patterns, each anchored so it cannot start or end inside a longer word:
 *
 * | kind               | shape                                                                  |
 * |--------------------|------------------------------------------------------------------------|
 * | Anthropic key      | `sk-ant-` + 32 or more of [A-Za-z0-9_-]                                |
 * | OpenAI project key | `sk-proj-` / `sk-svcacct-` / `sk-admin-` + 32 or more of [A-Za-z0-9_-] |
 * | OpenAI legacy key  | `sk-` + 32 or more letters and digits, with both letters and digits    |
 * | OpenRouter key     | `sk-or-v1-` + 64 hex                                                    |
 * | Stripe secret key  | `sk_live_` / `rk_live_` + 24 or more letters and digits                |
 * | clawd token        | `clawd_at_` / `clawd_rt_` / `clawd_pat_` + 36 base62 (30 random + CRC)  |
 * | GitHub token       | `ghp_` `gho_` `ghu_` `ghs_` `ghr_` + 36 or more letters and digits;    |
 * |                    | `github_pat_` + 60 or more of [A-Za-z0-9_]                             |
 * | AWS access key id  | `AKIA` / `ASIA` / `ABIA` / `ACCA` + 16 of [A-Z0-9]                      |
 * | AWS secret key     | `aws_secret_access_key` = 40 of [A-Za-z0-9/+]                          |
 * | Google API key     | `AIza` + 35 of [A-Za-z0-9_-]                                           |
 * | Slack token        | `xoxb-` `xoxa-` `xoxp-` `xoxr-` `xoxs-` `xapp-` + 10 or more           |
 * | Groq key           | `gsk_` + 48 or more letters and digits                                 |
 * | xAI key            | `xai-` + 64 or more letters and digits                                 |
 * | Hugging Face token | `hf_` + 34 or more letters                                             |
 * | JSON Web Token     | `eyJ...` `.eyJ...` `.signature`, three base64url parts                 |
 * | Private key        | a `-----BEGIN ... PRIVATE KEY-----` line with a matching END line      |
 * | Bearer token       | `Bearer ` + 20 or more token characters, with letters and digits       |
 *
 * False positives are kept low: prose that mentions `sk-` or "a Bearer token" does not match
 * (the random part must be long and contiguous), and values that are visibly placeholders
 * (`EXAMPLE`, `xxxxxx`, `your-key-here`, fewer than 6 distinct characters) are ignored.
 */

export interface SecretPattern {
  kind: string
  regex: RegExp
  /** The public, fixed part of a match that a message may show. */
  visible: (match: string) => string
  /** Extra test on the random part, for patterns loose enough to hit ordinary words. */
  check?: (match: string) => boolean
}

const L = '(?<![A-Za-z0-9_-])'
const R = '(?![A-Za-z0-9_-])'
const fixed = (prefix: string) => () => prefix
const leading = (n: number) => (m: string) => m.slice(0, n)

const hasLettersAndDigits = (s: string) => /[A-Za-z]/.test(s) && /[0-9]/.test(s)

const PLACEHOLDER = /example|placeholder|redacted|your[-_]?(?:api[-_]?)?(?:key|token|secret)|x{6,}|\*{4,}|\.{3,}|0{8,}/i

export function looksLikePlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || new Set(value).size < 6
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {kind: 'an Anthropic API key', regex: new RegExp(`${L}sk-ant-[A-Za-z0-9_-]{32,}${R}`, 'g'), visible: fixed('sk-ant-')},
  {kind: 'an OpenRouter API key', regex: new RegExp(`${L}sk-or-v1-[0-9a-f]{64}${R}`, 'g'), visible: fixed('sk-or-v1-')},
  {
    kind: 'an OpenAI API key',
    regex: new RegExp(`${L}sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{32,}${R}`, 'g'),
    visible: (m) => m.slice(0, m.indexOf('-', 3) + 1),
  },
  {
    kind: 'an OpenAI API key',
    regex: new RegExp(`${L}sk-[A-Za-z0-9]{32,}${R}`, 'g'),
    visible: fixed('sk-'),
    check: (m) => hasLettersAndDigits(m.slice(3)),
  },
  {kind: 'a Stripe secret key', regex: new RegExp(`${L}[sr]k_live_[A-Za-z0-9]{24,}${R}`, 'g'), visible: leading(8)},
  {kind: 'a clawd token', regex: /(?<![A-Za-z0-9_])clawd_(?:at|rt|pat)_[0-9A-Za-z]{36}(?![A-Za-z0-9_])/g, visible: (m) => m.slice(0, m.lastIndexOf('_') + 1)},
  {kind: 'a GitHub token', regex: new RegExp(`${L}gh[pousr]_[A-Za-z0-9]{36,}${R}`, 'g'), visible: leading(4)},
  {kind: 'a GitHub token', regex: new RegExp(`${L}github_pat_[A-Za-z0-9_]{60,}${R}`, 'g'), visible: fixed('github_pat_')},
  {kind: 'an AWS access key id', regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, visible: leading(4)},
  {
    kind: 'an AWS secret access key',
    regex: /aws_secret_access_key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
    visible: fixed('aws_secret_access_key='),
    check: (m) => hasLettersAndDigits(m.slice(-40)),
  },
  {kind: 'a Google API key', regex: new RegExp(`${L}AIza[A-Za-z0-9_-]{35}${R}`, 'g'), visible: fixed('AIza')},
  {kind: 'a Slack token', regex: new RegExp(`${L}xox[abprs]-[A-Za-z0-9-]{10,}${R}`, 'g'), visible: leading(5), check: (m) => hasLettersAndDigits(m.slice(5))},
  {kind: 'a Slack app token', regex: new RegExp(`${L}xapp-[0-9]-[A-Za-z0-9-]{10,}${R}`, 'g'), visible: fixed('xapp-')},
  {kind: 'a Groq API key', regex: new RegExp(`${L}gsk_[A-Za-z0-9]{48,}${R}`, 'g'), visible: fixed('gsk_')},
  {kind: 'an xAI API key', regex: new RegExp(`${L}xai-[A-Za-z0-9]{64,}${R}`, 'g'), visible: fixed('xai-')},
  {
    kind: 'a Hugging Face token',
    regex: new RegExp(`${L}hf_[A-Za-z]{34,}${R}`, 'g'),
    visible: fixed('hf_'),
    check: (m) => /[a-z]/.test(m.slice(3)) && /[A-Z]/.test(m.slice(3)),
  },
  {
    kind: 'a JSON Web Token',
    regex: new RegExp(`${L}eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}${R}`, 'g'),
    visible: fixed('eyJ'),
  },
  {
    kind: 'a bearer token',
    regex: /(?<![A-Za-z0-9_])[Bb]earer[ \t]+[A-Za-z0-9._~+/-]{20,}=*(?![A-Za-z0-9._~+/=-])/g,
    visible: fixed('Bearer '),
    check: (m) => {
      const token = m.replace(/^[Bb]earer[ \t]+/, '')
      return hasLettersAndDigits(token) && new Set(token).size >= 10
    },
  },
]

/** No pattern matches fewer characters than this (a Slack token: `xoxb-` and ten more). */
const SHORTEST_MATCH = 15

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/
const pemEnd = (label: string) => `-----END ${label}-----`

export interface SecretFinding {
  path: string
  /** 1-based. */
  line: number
  /** 1-based, in UTF-16 code units. */
  column: number
  kind: string
  /** Safe to print: the pattern's fixed prefix and asterisks. */
  masked: string
}

/** Every credential-like string in one file's text, in line order. */
export function scanSecrets(path: string, text: string): SecretFinding[] {
  const findings: SecretFinding[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.length < SHORTEST_MATCH) continue
    const taken: Array<[number, number]> = []
    for (const p of SECRET_PATTERNS) {
      p.regex.lastIndex = 0
      for (let m = p.regex.exec(line); m !== null; m = p.regex.exec(line)) {
        const value = m[0]
        const start = m.index
        const end = start + value.length
        if (taken.some(([s, e]) => start < e && end > s)) continue
        if (p.check && !p.check(value)) continue
        if (looksLikePlaceholder(value.slice(p.visible(value).length))) continue
        taken.push([start, end])
        findings.push({path, line: i + 1, column: start + 1, kind: p.kind, masked: `${p.visible(value)}****`})
      }
    }
    const pem = PEM_BEGIN.exec(line)
    if (pem && lines.slice(i + 1).some((l) => l.includes(pemEnd(pem[1]!)))) {
      findings.push({path, line: i + 1, column: pem.index + 1, kind: 'a private key', masked: `-----BEGIN ${pem[1]}-----`})
    }
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column)
}

export function secretFindingMessage(f: SecretFinding): string {
  return `${displayPath(f.path)} line ${f.line}: this looks like ${f.kind} (${f.masked}); remove it from the workspace and revoke it if it was real.`
}

/** The secret scan as workspace rejections, one per finding. */
export function checkSecrets(path: string, text: string): WorkspaceRejection[] {
  return scanSecrets(path, text).map((f) => ({path: f.path, code: 'secret' as const, message: secretFindingMessage(f), line: f.line}))
}
