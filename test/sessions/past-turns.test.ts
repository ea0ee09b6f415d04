import {afterEach, describe, expect, it} from 'vitest'
import {anthropicProvider} from '../../src/agent/providers/anthropic.js'
import {openaiProvider} from '../../src/agent/providers/openai.js'
import type {ProviderMessage} from '../../src/agent/providers/types.js'
import {historyFromTranscript} from '../../src/agent/sessions/history.js'
import {ALLOWED_TOOLS_HEADER} from '../../src/contract/agent-header.js'
import type {TranscriptMessage} from '../../src/contract/sessions.js'
import {decodePublicKey, sealKey} from '../../src/crypto/hpke.js'
import {startProviderServer, type ProviderServer} from '../helpers/provider-server.js'
import {collectSse} from '../helpers/sse.js'
import {collect, request} from '../agent/provider-helpers.js'
import {useInProcessAgent} from './in-process-agent.js'
import {MemoryToolbox} from './tool-box.js'

const KEY = 'sk-test-past-turns-0123456789'
const TOOLS = 'read,write,edit,exec,web_fetch,memory_search,memory_get'

/**
 * The next message's request carries the earlier turns' tool calls and results in each provider's
 * own shape, rebuilt from the transcript the agent persisted (an in-process agent, its real
 * session store, recorded provider streams); and a history cut to its budget stays well-formed.
 */
describe('past turns with tools, as the model sees them on the next message', () => {
  const toolbox = new MemoryToolbox()
  const agent = useInProcessAgent({toolbox, fetch})
  let server: ProviderServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const api = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await agent.api(method, path, body, headers)
    expect(res.status, `${method} ${path}`).toBeLessThan(300)
    return res
  }
  /** The provider's key, sealed to this agent as the CLI seals it, pointing at the recorded server. */
  const setKey = async (provider: string, baseUrl: string) => {
    const pub = (await (await api('GET', '/pubkey')).json()) as {kid: string; public_key: string}
    const aad = Buffer.from(`test ${provider}`)
    const sealed = await sealKey({publicKey: decodePublicKey(pub.public_key), kid: pub.kid, aad, plaintext: Buffer.from(KEY)})
    await api('PUT', `/keys/${provider}`, {provider, kid: pub.kid, ...sealed, aad: aad.toString('base64url'), version: Date.now(), base_url: baseUrl})
  }
  const newSession = async (model: string) => ((await (await api('POST', '/sessions', {model})).json()) as {id: string}).id
  /** Sends a message (`tools` null: chat only) and reads its answer to the end; it must end well. */
  const say = async (sid: string, content: string, tools: string | null = TOOLS) => {
    const events = await collectSse(await api('POST', `/sessions/${sid}/messages`, {content}, tools === null ? {} : {[ALLOWED_TOOLS_HEADER]: tools}))
    expect(events.at(-1)?.data, JSON.stringify(events.at(-1))).toMatchObject({type: 'message.end'})
  }
  const body = (i: number) => server!.requests[i]!.body as {messages: unknown[]; tools?: unknown[]}

  it('anthropic: tool_use blocks in the assistant turn, tool_result blocks in the next user turn, then the answer; ids reused by the provider become distinct', async () => {
    // Two turns that each read a note (the recording's call has the same id both times), then a third.
    server = await startProviderServer({fixture: ['anthropic/tool-use', 'anthropic/basic', 'anthropic/tool-use', 'anthropic/basic', 'anthropic/basic']})
    await setKey('anthropic', server.baseUrl)
    toolbox.files.set('memory/2026-12-01.md', 'met Ana')
    const sid = await newSession('anthropic/claude-test')
    await say(sid, 'what did I do yesterday?')
    await say(sid, 'and the day before?')
    await say(sid, 'thanks')
    expect(server.requests).toHaveLength(5)

    const firstTurn = [
      {role: 'user', content: 'what did I do yesterday?'},
      {role: 'assistant', content: [{type: 'tool_use', id: 'past_1', name: 'read', input: {path: 'memory/2026-12-01.md', limit: 40}}]},
      {role: 'user', content: [{type: 'tool_result', tool_use_id: 'past_1', content: 'met Ana'}]},
      {role: 'assistant', content: "I'll check what is in your notes.\nHello! How can I help you today?"},
    ]
    expect(body(2).messages).toEqual([...firstTurn, {role: 'user', content: 'and the day before?'}])
    expect(body(2).tools).toBeDefined()
    // Within a turn the provider's own ids go back as they came.
    expect(JSON.stringify(body(3).messages.at(-1))).toContain('toolu_01T1x1fJ34qAmk2tNTrN7Up6')
    expect(body(4).messages).toEqual([
      ...firstTurn,
      {role: 'user', content: 'and the day before?'},
      {role: 'assistant', content: [{type: 'tool_use', id: 'past_2', name: 'read', input: {path: 'memory/2026-12-01.md', limit: 40}}]},
      {role: 'user', content: [{type: 'tool_result', tool_use_id: 'past_2', content: 'met Ana'}]},
      {role: 'assistant', content: "I'll check what is in your notes.\nHello! How can I help you today?"},
      {role: 'user', content: 'thanks'},
    ])

    // A message without tools gets the answers as text: Anthropic refuses tool blocks without tools.
    server.requests.length = 0
    await say(sid, 'bye', null)
    expect(body(0).tools).toBeUndefined()
    expect(JSON.stringify(body(0).messages)).not.toMatch(/tool_use|tool_result/)
    expect(body(0).messages.filter((m) => (m as {role: string}).role === 'assistant')).toHaveLength(3)
  })

  it('openai: the assistant message with tool_calls, one role: tool message per call with its tool_call_id, then the answer', async () => {
    server = await startProviderServer({fixture: ['openai/tool-calls-parallel', 'openai/basic']})
    await setKey('openai', server.baseUrl)
    const sid = await newSession('openai/gpt-test')
    await say(sid, 'note my todos and check git')
    await say(sid, 'done?')
    expect(server.requests).toHaveLength(3)
    const [system, ...messages] = body(2).messages
    expect(system).toMatchObject({role: 'system'})
    expect(messages).toEqual([
      {role: 'user', content: 'note my todos and check git'},
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {id: 'past_1', type: 'function', function: {name: 'write', arguments: JSON.stringify({path: 'memory/todo.md', content: '- ship it\n- tell Ana\n'})}},
          {id: 'past_2', type: 'function', function: {name: 'exec', arguments: JSON.stringify({command: 'git status --short', timeout: 30})}},
        ],
      },
      {role: 'tool', tool_call_id: 'past_1', content: `wrote ${'- ship it\n- tell Ana\n'.length} characters to memory/todo.md`},
      {role: 'tool', tool_call_id: 'past_2', content: 'exit 1'},
      {role: 'assistant', content: "Hi! I'm here to help. What would you like to do?"},
      {role: 'user', content: 'done?'},
    ])
  })
})

describe('a history cut to its budget stays well-formed', () => {
  let server: ProviderServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  /** Twelve exchanges: each answer made two calls (one failed); one answer failed; the 7th wrote a long file. */
  const transcript: TranscriptMessage[] = []
  const at = new Date(0).toISOString()
  for (let i = 1; i <= 12; i++) {
    transcript.push({id: `u${i}`, role: 'user', content: `question ${i}`, created_at: at})
    const content = i === 7 ? 'x'.repeat(10_000) : `note ${i}`
    transcript.push({
      id: `a${i}`,
      role: 'assistant',
      content: i % 5 === 0 ? '' : `answer ${i}`,
      created_at: at,
      tools: [
        {id: 'call_same', name: 'write', arguments: {path: `n${i}.md`, content}, ok: true, output: `wrote n${i}.md`},
        {id: 'call_same', name: 'exec', arguments: {command: 'false'}, ok: false, output: 'o'.repeat(300)},
      ],
      ...(i === 9 ? {error: {code: 'internal', message: 'failed'}} : {}),
    })
  }
  transcript.push({id: 'now', role: 'user', content: 'and now?', created_at: at})

  const size = (messages: ProviderMessage[]) =>
    messages.reduce((n, m) => n + (m.role === 'tool' ? m.results.reduce((k, r) => k + r.output.length, 0) : m.content.length + (m.role === 'assistant' ? (m.toolCalls ?? []).reduce((k, c) => k + c.name.length + c.input.length, 0) : 0)), 0)

  it('whole exchanges go, oldest first, to fit; long arguments are shortened; failed answers are left out; the message being answered stays', () => {
    const whole = historyFromTranscript(transcript, {withTools: true, maxChars: Infinity})
    expect(whole[0]).toEqual({role: 'user', content: 'question 1'})
    expect(whole.filter((m) => m.role === 'user')).toHaveLength(13)
    expect(whole.some((m) => m.role === 'assistant' && m.content === 'answer 9')).toBe(false)
    // The 10,000-character file went in shortened.
    expect(size(whole)).toBeLessThan(10_000)
    const ids = whole.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.id) : []))
    expect(new Set(ids).size).toBe(ids.length)

    const cut = historyFromTranscript(transcript, {withTools: true, maxChars: 3000})
    expect(size(cut)).toBeLessThanOrEqual(3000)
    expect(cut.length).toBeLessThan(whole.length)
    // A suffix of the whole, ids included: where the cut falls changes no id (a stable prefix for caches).
    expect(cut).toEqual(whole.slice(whole.length - cut.length))
    expect(cut[0]!.role).toBe('user')
    expect(cut.at(-1)).toEqual({role: 'user', content: 'and now?'})
    expect(historyFromTranscript(transcript, {withTools: true, maxChars: 1})).toEqual([{role: 'user', content: 'and now?'}])
  })

  it('every cut, in Anthropic’s and OpenAI’s wire format: each call answered in the very next message, each result after its call, the user first', async () => {
    server = await startProviderServer({fixture: 'anthropic/basic'})
    const openai = await startProviderServer({fixture: 'openai/basic'})
    try {
      const tools = [{name: 'write', description: 'w', parameters: {type: 'object'}}]
      for (let maxChars = 0; maxChars <= 9000; maxChars += 250) {
        const messages = historyFromTranscript(transcript, {withTools: true, maxChars})
        await collect(anthropicProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, tools, messages}), {fetch}))
        await collect(openaiProvider.stream(request({baseUrl: openai.baseUrl, apiKey: KEY, tools, messages}), {fetch}))
      }
      expect(server.requests.length).toBeGreaterThan(30)
      for (const r of server.requests) expectWellFormedAnthropic((r.body as {messages: AnthropicMessage[]}).messages)
      for (const r of openai.requests) expectWellFormedOpenAI((r.body as {messages: OpenAIMessage[]}).messages)
    } finally {
      await openai.close()
    }
  })
})

type AnthropicMessage = {role: string; content: string | Array<{type: string; id?: string; tool_use_id?: string}>}
type OpenAIMessage = {role: string; tool_calls?: Array<{id: string}>; tool_call_id?: string}

/** The Messages API's rules: user first; a turn's tool_use ids answered by tool_result blocks that open the next (user) turn, and nowhere else. */
function expectWellFormedAnthropic(messages: AnthropicMessage[]): void {
  expect(messages[0]!.role).toBe('user')
  const blocks = (m: AnthropicMessage | undefined, type: string) => (m && Array.isArray(m.content) ? m.content.filter((b) => b.type === type) : [])
  messages.forEach((m, i) => {
    const uses = blocks(m, 'tool_use').map((b) => b.id)
    const next = messages[i + 1]
    if (uses.length > 0) {
      expect(next?.role).toBe('user')
      const opening = (next!.content as Array<{type: string; tool_use_id?: string}>).slice(0, uses.length)
      expect(opening.map((b) => [b.type, b.tool_use_id])).toEqual(uses.map((id) => ['tool_result', id]))
    }
    const results = blocks(m, 'tool_result').map((b) => b.tool_use_id)
    if (results.length > 0) expect(results).toEqual(blocks(messages[i - 1], 'tool_use').map((b) => b.id))
  })
}

/** Chat Completions' rules: after the system message the user's; each tool_calls entry answered by the role: tool messages right after it, and only those. */
function expectWellFormedOpenAI(messages: OpenAIMessage[]): void {
  const [system, ...rest] = messages
  expect(system!.role).toBe('system')
  expect(rest[0]!.role).toBe('user')
  rest.forEach((m, i) => {
    if (m.tool_calls?.length) {
      const answers = rest.slice(i + 1, i + 1 + m.tool_calls.length)
      expect(answers.map((a) => [a.role, a.tool_call_id])).toEqual(m.tool_calls.map((c) => ['tool', c.id]))
    }
    if (m.role === 'tool') {
      let j = i - 1
      while (rest[j]?.role === 'tool') j--
      expect(rest[j]?.tool_calls?.map((c) => c.id)).toContain(m.tool_call_id)
    }
  })
}
