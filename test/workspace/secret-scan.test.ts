import {describe, expect, it} from 'vitest'
import {checkSecrets, scanSecrets} from '../../src/workspace/secret-scan.js'
import {base62, randomFrom} from './fixtures.js'

/** Fake credentials of each kind, built at run time so no key-shaped string is committed. */
function samples(): Array<{kind: RegExp; value: string; masked: string; secret?: string}> {
  const hex = (n: number) => randomFrom('0123456789abcdef', n)
  const upper = (n: number) => randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', n)
  const letters = (n: number) => `aB${randomFrom('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', n - 2)}`
  const b64url = (n: number) => base62(n)
  return [
    {kind: /Anthropic/, value: `sk-ant-api03-${base62(93)}AA`, masked: 'sk-ant-****'},
    {kind: /Anthropic/, value: `sk-ant-admin01-${base62(93)}AA`, masked: 'sk-ant-****'},
    {kind: /OpenAI/, value: `sk-proj-${base62(40)}_${base62(40)}`, masked: 'sk-proj-****'},
    {kind: /OpenAI/, value: `sk-svcacct-${base62(60)}`, masked: 'sk-svcacct-****'},
    {kind: /OpenAI/, value: `sk-${base62(48)}`, masked: 'sk-****'},
    {kind: /OpenRouter/, value: `sk-or-v1-${hex(64)}`, masked: 'sk-or-v1-****'},
    {kind: /Stripe/, value: `sk_live_${base62(24)}`, masked: 'sk_live_****'},
    {kind: /clawd/, value: `clawd_at_${base62(36)}`, masked: 'clawd_at_****'},
    {kind: /clawd/, value: `clawd_rt_${base62(36)}`, masked: 'clawd_rt_****'},
    {kind: /clawd/, value: `clawd_pat_${base62(36)}`, masked: 'clawd_pat_****'},
    {kind: /GitHub/, value: `ghp_${base62(36)}`, masked: 'ghp_****'},
    {kind: /GitHub/, value: `gho_${base62(36)}`, masked: 'gho_****'},
    {kind: /GitHub/, value: `github_pat_${base62(22)}_${base62(59)}`, masked: 'github_pat_****'},
    {kind: /AWS access key/, value: `AKIA${upper(16)}`, masked: 'AKIA****'},
    {kind: /AWS access key/, value: `ASIA${upper(16)}`, masked: 'ASIA****'},
    ((secret) => ({kind: /AWS secret/, value: `aws_secret_access_key = ${secret}`, masked: 'aws_secret_access_key=****', secret}))(`${base62(30)}/${base62(9)}`),
    {kind: /Google/, value: `AIza${base62(35)}`, masked: 'AIza****'},
    {kind: /Slack/, value: `xoxb-${randomFrom('0123456789', 12)}-${randomFrom('0123456789', 13)}-${base62(24)}`, masked: 'xoxb-****'},
    {kind: /Slack/, value: `xapp-1-A${randomFrom('0123456789', 10)}-${base62(30)}`, masked: 'xapp-****'},
    {kind: /Groq/, value: `gsk_${base62(52)}`, masked: 'gsk_****'},
    {kind: /xAI/, value: `xai-${base62(80)}`, masked: 'xai-****'},
    {kind: /Hugging Face/, value: `hf_${letters(34)}`, masked: 'hf_****'},
    {kind: /JSON Web Token/, value: `eyJ${b64url(20)}.eyJ${b64url(40)}.${b64url(43)}`, masked: 'eyJ****'},
    ((secret) => ({kind: /bearer/, value: `Authorization: Bearer ${secret}`, masked: 'Bearer ****', secret}))(base62(40)),
  ]
}

describe('scanSecrets: each pattern', () => {
  for (const s of samples()) {
    it(`finds ${s.masked} and shows only its fixed prefix`, () => {
      const text = `# MEMORY.md\n\nsome notes\nthe value is ${s.value} ok\n`
      const findings = scanSecrets('MEMORY.md', text)
      expect(findings).toHaveLength(1)
      const [f] = findings
      expect(f!.kind).toMatch(s.kind)
      expect(f).toMatchObject({path: 'MEMORY.md', line: 4, masked: s.masked})
      // Nothing past the public prefix may reach a message: check every 6-character window of the secret part.
      const message = checkSecrets('MEMORY.md', text)[0]!.message
      const secretPart = s.secret ?? s.value.slice(s.masked.replace('****', '').length)
      for (let i = 0; i + 6 <= secretPart.length; i++) expect(message).not.toContain(secretPart.slice(i, i + 6))
    })
  }

  it('finds a private key block, reporting the BEGIN line', () => {
    const text = `notes\n-----BEGIN OPENSSH PRIVATE KEY-----\n${base62(64)}\n${base62(64)}\n-----END OPENSSH PRIVATE KEY-----\n`
    expect(scanSecrets('AGENTS.md', text)).toMatchObject([{line: 2, kind: 'a private key', masked: '-----BEGIN OPENSSH PRIVATE KEY-----'}])
    const rsa = `-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\n${base62(64)}\r\n-----END RSA PRIVATE KEY-----\r\n`
    expect(scanSecrets('AGENTS.md', rsa)).toMatchObject([{line: 1}])
  })

  it('reports several findings with their own lines and columns', () => {
    const a = `ghp_${base62(36)}`
    const b = `AIza${base62(35)}`
    const findings = scanSecrets('USER.md', `x\n  ${a} and ${b}\n\n${b}`)
    expect(findings.map((f) => [f.line, f.column])).toEqual([
      [2, 3],
      [2, 3 + a.length + 5],
      [4, 1],
    ])
  })
})

describe('scanSecrets: no false positives on ordinary text', () => {
  const prose = [
    'Our keys start with sk- and are stored in the keyring.',
    'Use an sk-ant-... key from the Anthropic console.',
    'Set OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx in your shell.',
    'sk-learn-is-a-python-library-for-machine-learning-tasks-and-more',
    'The header is `Authorization: Bearer <token>`.',
    'Send a Bearer token with each request.',
    'Authorization: Bearer $CLAWD_TOKEN',
    'Authorization: Bearer ${{ secrets.CLAWD_TOKEN }}',
    'Bearer abcdefghijklmnopqrstuvwxyz (all letters, a word, not a token)',
    'The AWS example key id is AKIAIOSFODNN7EXAMPLE.',
    '-----BEGIN PRIVATE KEY----- is how a PEM file starts.',
    'A clawd token looks like clawd_pat_ followed by 36 characters.',
    'ghp_ tokens come from GitHub settings.',
    'https://example.com/path/with-a-very-long-segment-name-0123456789abcdef',
    'commit 3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a',
    'uuid 123e4567-e89b-12d3-a456-426614174000',
    'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'xoxb-your-token-here',
    'eyJhbGciOiJIUzI1NiJ9 alone is only a header',
    'task-sk-1234567890abcdefghijklmnopqrstuvwxyz (sk- inside a longer word)',
  ]
  for (const line of prose) {
    it(`ignores: ${line}`, () => {
      expect(scanSecrets('AGENTS.md', `# AGENTS.md\n${line}\n`)).toEqual([])
    })
  }
})
