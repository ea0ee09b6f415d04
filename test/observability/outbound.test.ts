import {beforeAll, describe, expect, it} from 'vitest'
import {problemSchema} from '../../src/contract/problem.js'
import {checkOutboundUrl, isForbiddenAddress, type Resolver} from '../../src/server/outbound.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {useTestServer} from '../helpers/server.js'
import {api, instanceRow} from './helpers.js'

/** A resolver that answers from a table, as if DNS said so. */
const dns =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const answer = table[host]
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {code: 'ENOTFOUND'})
    return answer
  }

describe('outbound address rules', () => {
  it('knows link-local and metadata addresses in every spelling', () => {
    for (const address of ['169.254.169.254', '169.254.170.2', '169.254.0.1', '100.100.100.200', 'fe80::1', 'FE80::abcd%eth0', 'fd00:ec2::254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '[::ffff:169.254.169.254]', '64:ff9b::a9fe:a9fe']) {
      expect(isForbiddenAddress(address), address).toBe(true)
    }
    for (const address of ['127.0.0.1', '::1', '10.0.0.5', '192.168.1.20', '172.16.0.1', '93.184.216.34', '2001:db8::1', '::ffff:127.0.0.1', 'localhost']) {
      expect(isForbiddenAddress(address), address).toBe(false)
    }
  })

  it('refuses URLs whose host is such an address, as written or as resolved', async () => {
    const resolve = dns({
      'evil.example': ['93.184.216.34', '169.254.169.254'],
      'v6.example': ['fe80::1'],
      'mapped.example': ['::ffff:169.254.169.254'],
      'fine.example': ['93.184.216.34'],
    })
    const refused = [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]:8080/v1',
      'http://[::ffff:169.254.169.254]/v1',
      'http://2852039166/v1', // 169.254.169.254 as one decimal number
      'http://0xa9.0xfe.0xa9.0xfe/v1',
      'http://metadata.google.internal/computeMetadata/v1',
      'http://METADATA.google.internal./v1',
      'https://evil.example/v1',
      'https://v6.example/v1',
      'https://mapped.example/v1',
    ]
    for (const url of refused) {
      const verdict = await checkOutboundUrl(url, {allowPrivate: false, resolve})
      expect(verdict.allowed, url).toBe(false)
    }
    const evil = await checkOutboundUrl('https://evil.example/v1', {allowPrivate: false, resolve})
    expect(evil).toEqual({allowed: false, reason: 'evil.example resolves to 169.254.169.254, a link-local or cloud metadata address'})

    for (const url of ['http://127.0.0.1:11434/v1', 'http://localhost:8000/v1', 'http://[::1]:8000/v1', 'http://192.168.1.20:11434/v1', 'https://fine.example/v1', 'https://unknown.example/v1']) {
      expect((await checkOutboundUrl(url, {allowPrivate: false, resolve})).allowed, url).toBe(true)
    }
    // The operator may allow it all.
    expect(await checkOutboundUrl('http://169.254.169.254/', {allowPrivate: true, resolve})).toEqual({allowed: true})
  })

  it('resolves real names with the system resolver (localhost is loopback)', async () => {
    expect(await checkOutboundUrl('http://localhost:11434/v1', {allowPrivate: false})).toEqual({allowed: true})
  })
})

describe('PUT keys refuses metadata base URLs', {timeout: 120_000}, () => {
  const upload = (baseUrl: string) => ({
    kid: '0123456789abcdef',
    enc: 'A'.repeat(43),
    ct: 'B'.repeat(40),
    version: 1,
    fingerprint: '01234567',
    base_url: baseUrl,
  })

  /** A server (allowing private egress or not) with a user who has an instance named agent. */
  const withAgent = (allowPrivateEgress: boolean) => {
    const server = useTestServer((c) => {
      c.instances.sandbox = 'none'
      c.allowPrivateEgress = allowPrivateEgress
    })
    let user: TestUser
    beforeAll(async () => {
      user = await newUser(server)
      await instanceRow(server, user.userId, 'agent')
    })
    return {put: (baseUrl: string) => api(server, user.accessToken, 'PUT', '/v1/instances/agent/keys/openai-compatible', upload(baseUrl))}
  }

  describe('by default', () => {
    const {put} = withAgent(false)

    it('answers 403 with a problem that says why and what to do', async () => {
      for (const base of ['http://169.254.169.254/v1', 'http://[fe80::1]/v1', 'http://[::ffff:169.254.169.254]/v1']) {
        const res = await put(base)
        expect(res.status, base).toBe(403)
        const problem = problemSchema.parse(res.body)
        expect(problem.code).toBe('forbidden')
        expect(problem.detail).toContain('link-local or cloud metadata address')
        expect(problem.hint).toContain('--allow-private-egress')
      }
      // A loopback endpoint passes this check (and then fails on the made-up kid, 409).
      const local = await put('http://127.0.0.1:11434/v1')
      expect(local.status).toBe(409)
    })
  })

  describe('with --allow-private-egress', () => {
    const {put} = withAgent(true)

    it('lets the operator allow it', async () => {
      const res = await put('http://169.254.169.254/v1')
      expect(res.status).toBe(409)
    })
  })
})
