import {describe, expect, it} from 'vitest'
import {TOOL_NAMES} from '../../src/agent/tools/types.js'
import {ALLOWED_TOOLS_HEADER} from '../../src/contract/agent-header.js'
import {toolPolicySchema, type ToolPolicy} from '../../src/contract/tool-policy.js'
import {inviteLifetimeSec} from '../../commands/server/invites/create.js'
import {generateInviteCode, inviteCodeHash, normalizeInviteCode} from '../../src/server/auth/invites.js'
import {defaultConfig} from '../../src/server/config.js'
import {ApiError} from '../../src/server/errors.js'
import {agentRequestHeaders} from '../../src/server/gateway.js'
import {toolPolicyOf} from '../../src/server/instances/repo.js'
import {assertPolicyFitsPlan, defaultToolPolicy, effectiveTools, resolveToolPolicy} from '../../src/server/instances/tool-policy.js'
import {planNamed} from '../../src/server/quotas/plans.js'
import {thrownBy} from '../helpers/thrown.js'

const policy = (p: Partial<ToolPolicy> & Pick<ToolPolicy, 'profile'>): ToolPolicy => toolPolicySchema.parse(p)
const config = defaultConfig('/nowhere')
const free = planNamed(config, 'free')
const dedicated = planNamed(config, 'dedicated')

describe('the tool policy (OpenClaw profile + allow + deny)', () => {
  it('minimal grants nothing, coding grants every tool in order', () => {
    expect(resolveToolPolicy(policy({profile: 'minimal'}))).toEqual([])
    expect(resolveToolPolicy(policy({profile: 'coding'}))).toEqual([...TOOL_NAMES])
  })

  it('allow adds names and groups to the profile; deny removes them and wins over allow', () => {
    expect(resolveToolPolicy(policy({profile: 'minimal', allow: ['group:memory', 'read']}))).toEqual(['read', 'memory_search', 'memory_get'])
    expect(resolveToolPolicy(policy({profile: 'coding', deny: ['group:runtime', 'web_fetch']}))).toEqual(['read', 'write', 'edit', 'memory_search', 'memory_get'])
    expect(resolveToolPolicy(policy({profile: 'minimal', allow: ['exec', 'read'], deny: ['exec']}))).toEqual(['read'])
    expect(resolveToolPolicy(policy({profile: 'minimal', allow: ['*'], deny: ['group:fs']}))).toEqual(['exec', 'web_fetch', 'memory_search', 'memory_get'])
    expect(resolveToolPolicy(policy({profile: 'coding', deny: ['*']}))).toEqual([])
  })

  it('matches case-insensitively and drops duplicates, as OpenClaw does', () => {
    expect(policy({profile: 'coding', allow: [' READ', 'read', 'Group:FS']})).toEqual({profile: 'coding', allow: ['read', 'group:fs'], deny: []})
  })

  it('names an unknown tool or group and says what exists', () => {
    const bad = toolPolicySchema.safeParse({profile: 'coding', deny: ['bash']})
    expect(bad.success).toBe(false)
    const message = bad.error!.issues[0]!.message
    expect(message).toContain('"bash"')
    for (const known of [...TOOL_NAMES, 'group:fs', 'group:runtime', 'group:web', 'group:memory']) expect(message).toContain(known)
    expect(toolPolicySchema.safeParse({profile: 'coding', allow: ['group:everything']}).success).toBe(false)
    const profile = toolPolicySchema.safeParse({profile: 'full'})
    expect(profile.error!.issues[0]!.message).toBe('use one of: minimal, coding')
    expect(toolPolicySchema.safeParse({profile: 'coding', extra: true}).success).toBe(false)
  })

  it('a stored policy this version cannot read grants nothing', () => {
    expect(toolPolicyOf({tool_policy: {profile: 'everything'}})).toEqual({profile: 'minimal', allow: [], deny: []})
    expect(toolPolicyOf({tool_policy: 'not json'})).toEqual({profile: 'minimal', allow: [], deny: []})
    expect(toolPolicyOf({tool_policy: JSON.stringify({profile: 'coding', deny: ['exec']})})).toEqual({profile: 'coding', allow: [], deny: ['exec']})
  })
})

describe('plans decide whether the policy counts', () => {
  it('the default plans: free is chat only with 50 messages a day, dedicated has tools', () => {
    expect(free).toMatchObject({name: 'free', tools: false, messagesPerDay: 50})
    expect(dedicated).toMatchObject({name: 'dedicated', tools: true})
    // An unknown plan name gets the plan that grants least.
    expect(planNamed(config, 'platinum')).toMatchObject({name: 'free', tools: false})
  })

  it('effective tools are the policy’s on dedicated and none on free, whatever the policy says', () => {
    const coding = policy({profile: 'coding', deny: ['exec']})
    expect(effectiveTools(dedicated, coding)).toEqual(['read', 'write', 'edit', 'web_fetch', 'memory_search', 'memory_get'])
    expect(effectiveTools(free, coding)).toEqual([])
    expect(effectiveTools(free, policy({profile: 'minimal', allow: ['*']}))).toEqual([])
  })

  it('new instances get coding where the plan has tools, minimal where it has none', () => {
    expect(defaultToolPolicy(dedicated).profile).toBe('coding')
    expect(defaultToolPolicy(free).profile).toBe('minimal')
  })

  it('free refuses any policy that grants a tool, with a stable code that names the plan', () => {
    for (const p of [policy({profile: 'coding'}), policy({profile: 'minimal', allow: ['read']})]) {
      const caught = thrownBy(() => assertPolicyFitsPlan(free, p), ApiError)
      expect(caught).toMatchObject({status: 403, code: 'plan_forbids_tools'})
      expect(caught.extra.detail).toContain('free plan')
      expect(caught.extra.hint).toMatch(/operator|invite/)
    }
    // A policy that grants nothing is fine on free; anything is fine on dedicated.
    expect(() => assertPolicyFitsPlan(free, policy({profile: 'minimal'}))).not.toThrow()
    expect(() => assertPolicyFitsPlan(free, policy({profile: 'coding', deny: ['*']}))).not.toThrow()
    expect(() => assertPolicyFitsPlan(dedicated, policy({profile: 'coding'}))).not.toThrow()
  })
})

describe('the agent request headers the gateway sends', () => {
  it('carries the allowed tools on a message, comma-separated, and an empty value for none', () => {
    expect(agentRequestHeaders({hasBody: true, allowedTools: ['read', 'exec']})).toEqual({
      'content-type': 'application/json',
      [ALLOWED_TOOLS_HEADER]: 'read,exec',
    })
    expect(agentRequestHeaders({hasBody: true, allowedTools: []})[ALLOWED_TOOLS_HEADER]).toBe('')
  })

  it('sets no tools header on other requests (absent means chat only)', () => {
    const headers = agentRequestHeaders({hasBody: false, lastEventId: '4'})
    expect(headers).toEqual({'last-event-id': '4'})
    expect(ALLOWED_TOOLS_HEADER in headers).toBe(false)
  })
})

describe('invite codes', () => {
  it('are typeable groups with 100 random bits, read back whatever the case, spaces or dashes', () => {
    const code = generateInviteCode()
    expect(code).toMatch(/^INV(-[A-HJ-NP-Z2-9]{5}){4}$/)
    const body = normalizeInviteCode(code)!
    expect(body).toHaveLength(20)
    expect(normalizeInviteCode(code.toLowerCase().replace(/-/g, ' '))).toBe(body)
    expect(normalizeInviteCode(code.slice(4))).toBe(body)
    expect(new Set(Array.from({length: 50}, generateInviteCode)).size).toBe(50)
  })

  it('refuses what cannot be a code before any lookup', () => {
    for (const typed of ['', 'INV-', 'hello', 'INV-AAAAA-AAAAA-AAAAA-AAAA', 'INV-AAAAA-AAAAA-AAAAA-AAAAI', 'x'.repeat(64)]) expect(normalizeInviteCode(typed)).toBeNull()
  })

  it('are stored as a peppered HMAC, never the code', () => {
    const body = normalizeInviteCode(generateInviteCode())!
    const pepper = Buffer.alloc(32, 7)
    const hash = inviteCodeHash(pepper, body)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(hash).not.toContain(body)
    expect(inviteCodeHash(Buffer.alloc(32, 8), body)).not.toBe(hash)
  })

  it('--expires takes a duration between a minute and a year', () => {
    expect(inviteLifetimeSec('7d')).toBe(7 * 24 * 3600)
    expect(inviteLifetimeSec('90m')).toBe(5400)
    expect(() => inviteLifetimeSec('soon')).toThrow(/not a duration/)
    expect(() => inviteLifetimeSec('30s')).toThrow(/out of range/)
    expect(() => inviteLifetimeSec('400d')).toThrow(/out of range/)
  })
})

describe('plan limits are the server’s configuration', () => {
  it('server start flags set each plan’s quotas; tools stay as the plan defines them', async () => {
    const {configFromStartOptions: configFromFlags} = await import('../../src/cli/server/start-flags.js')
    const base = {host: '127.0.0.1', port: 0, 'data-dir': '/nowhere', 'trust-proxy': false, 'log-level': 'silent', 'idle-timeout': 1, retention: 1, sandbox: 'none', 'log-retention': 1, 'allow-private-egress': false}
    const config = configFromFlags({...base, 'messages-per-day': 5, 'dedicated-messages-per-day': 700, 'dedicated-concurrent-streams': 9})
    expect(config.plans.free).toEqual({messagesPerDay: 5, concurrentStreams: 2, tools: false})
    expect(config.plans.dedicated).toEqual({messagesPerDay: 700, concurrentStreams: 9, tools: true})
  })
})
