import {describe, expect, it} from 'vitest'
import {anthropicProvider} from '../../src/agent/providers/anthropic.js'
import {openaiCompatibleProvider, openaiProvider} from '../../src/agent/providers/openai.js'
import type {Provider, ProviderDeps, ProviderMessage, ProviderTool} from '../../src/agent/providers/types.js'
import {FIXTURES_DIR, type ProviderServerOptions} from '../helpers/provider-server.js'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {collect, fixturesFor, request, serveForTest} from './provider-helpers.js'

/**
 * Tool calling in each provider's wire format, from recorded streams (test/fixtures/providers):
 * Anthropic `tool_use` blocks whose input arrives as `input_json_delta` pieces, OpenAI
 * `tool_calls` deltas with arguments split across chunks (two parallel calls, also interleaved),
 * Ollama's whole-call chunk; and what we send back: tools, the calls and their results.
 */
const KEY = 'sk-test-CANARY-tools-0123456789'
const deps: ProviderDeps = {fetch, timing: {idleTimeoutMs: 2000, maxAttempts: 1}}

interface ToolExpected {
  text: string
  toolCalls: Array<{id: string; name: string; input: string}>
  usage: {input_tokens: number; output_tokens: number}
  stopReason: string
}
const expectedOf = (name: string): ToolExpected => JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.expected.json`), 'utf8'))

const cases = fixturesFor([
  [anthropicProvider, ['anthropic/tool-use', 'anthropic/tool-use-parallel']],
  [openaiProvider, ['openai/tool-calls-parallel', 'openai/tool-calls-interleaved']],
  [openaiCompatibleProvider, ['openai/tool-calls-parallel', 'openai-compatible/ollama-tool-call']],
])

const tools: ProviderTool[] = [
  {name: 'read', description: 'Read a file.', parameters: {type: 'object', properties: {path: {type: 'string'}}, required: ['path']}},
  {name: 'exec', description: 'Run a command.', parameters: {type: 'object', properties: {command: {type: 'string'}}, required: ['command']}},
]

/** A turn after one step with two parallel calls, one of which failed. */
const afterTools: ProviderMessage[] = [
  {role: 'user', content: 'what is in my notes?'},
  {
    role: 'assistant',
    content: 'Looking.',
    toolCalls: [
      {id: 'call_1', name: 'read', input: '{"path":"MEMORY.md"}'},
      {id: 'call_2', name: 'exec', input: '{"command":"ls"}'},
    ],
  },
  {
    role: 'tool',
    results: [
      {id: 'call_1', name: 'read', ok: true, output: '# Memory'},
      {id: 'call_2', name: 'exec', ok: false, output: 'exit 2'},
    ],
  },
]

describe('tool calls from recorded streams', () => {
  for (const {fixture, provider} of cases) {
    for (const chunkBytes of [undefined, 1, 7]) {
      it(`${provider.name} ← ${fixture}${chunkBytes ? ` (${chunkBytes} byte(s) at a time)` : ''}`, async () => {
        const server = await serveForTest({fixture, chunkBytes})
        const expected = expectedOf(fixture)
        const result = await collect(provider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, tools}), deps))
        expect(result.error).toBeUndefined()
        expect(result.text).toBe(expected.text)
        expect(result.toolCalls).toEqual(expected.toolCalls)
        for (const call of result.toolCalls) expect(() => JSON.parse(call.input)).not.toThrow()
        expect(result.done).toEqual({type: 'done', stopReason: expected.stopReason, usage: expected.usage})
      })
    }
  }
})

describe('a malformed tool-call stream ends in an error, never in a half call', () => {
  const head = '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":'
  const notText = `data: ${head}{"tool_calls":[{"index":0,"id":"call_x","type":"function","function":{"name":"read","arguments":{"path":"a"}}}]},"finish_reason":null}]}\n\ndata: [DONE]\n\n`
  // Each ends in provider_bad_stream; `noCalls`: and no tool call came out; `noDone`: and no done event.
  const malformed: Array<{title: string; provider: Provider; options: ProviderServerOptions; noCalls?: true; noDone?: true}> = [
    {title: 'anthropic: a tool_use block still open at message_stop', provider: anthropicProvider, options: {fixture: 'anthropic/error-tool-unclosed'}, noCalls: true, noDone: true},
    // 8 events: message_start … the second input_json_delta; then EOF.
    {title: 'anthropic: the stream ends in the middle of the arguments', provider: anthropicProvider, options: {fixture: 'anthropic/tool-use', mode: 'eof', cutAfter: 9}, noCalls: true},
    {title: 'anthropic: a data line that is not JSON in the middle of a tool_use block', provider: anthropicProvider, options: {fixture: 'anthropic/tool-use', mode: 'malformed', cutAfter: 9}, noCalls: true},
    {title: 'openai: a call whose id and name never came', provider: openaiProvider, options: {fixture: 'openai/error-tool-call-no-id'}, noDone: true},
    {title: 'openai: the stream ends between argument pieces', provider: openaiProvider, options: {fixture: 'openai/tool-calls-parallel', mode: 'eof', cutAfter: 8}, noCalls: true},
    {title: 'openai: arguments that are not text', provider: openaiProvider, options: {fixture: 'openai/basic', stream: notText}},
  ]
  for (const {title, provider, options, noCalls, noDone} of malformed) {
    it(title, async () => {
      const server = await serveForTest(options)
      const result = await collect(provider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, tools}), deps))
      expect(result.error?.code).toBe('provider_bad_stream')
      if (noCalls) expect(result.toolCalls).toEqual([])
      if (noDone) expect(result.done).toBeUndefined()
    })
  }
})

describe('what reaches the provider in a turn with tools', () => {
  it('anthropic: tools with input_schema; the calls as tool_use blocks; the results as tool_result blocks in a user turn', async () => {
    const server = await serveForTest({fixture: 'anthropic/basic'})
    await collect(anthropicProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, tools, messages: afterTools}), deps))
    const body = server.requests[0]!.body as Record<string, unknown>
    expect(body.tools).toEqual([
      {name: 'read', description: 'Read a file.', input_schema: tools[0]!.parameters},
      {name: 'exec', description: 'Run a command.', input_schema: tools[1]!.parameters},
    ])
    expect(body.messages).toEqual([
      {role: 'user', content: 'what is in my notes?'},
      {
        role: 'assistant',
        content: [
          {type: 'text', text: 'Looking.'},
          {type: 'tool_use', id: 'call_1', name: 'read', input: {path: 'MEMORY.md'}},
          {type: 'tool_use', id: 'call_2', name: 'exec', input: {command: 'ls'}},
        ],
      },
      {
        role: 'user',
        content: [
          {type: 'tool_result', tool_use_id: 'call_1', content: '# Memory'},
          {type: 'tool_result', tool_use_id: 'call_2', content: 'exit 2', is_error: true},
        ],
      },
    ])
  })

  it('anthropic: a call whose arguments were not JSON goes back with input {} (the API takes only objects)', async () => {
    const server = await serveForTest({fixture: 'anthropic/basic'})
    const messages: ProviderMessage[] = [
      {role: 'user', content: 'x'},
      {role: 'assistant', content: '', toolCalls: [{id: 'toolu_1', name: 'read', input: '{"path": '}]},
      {role: 'tool', results: [{id: 'toolu_1', name: 'read', ok: false, output: 'bad arguments'}]},
    ]
    await collect(anthropicProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, tools, messages}), deps))
    const body = server.requests[0]!.body as {messages: Array<{content: unknown}>}
    expect(body.messages[1]!.content).toEqual([{type: 'tool_use', id: 'toolu_1', name: 'read', input: {}}])
  })

  it('openai: function tools; the assistant message carries tool_calls; each result is a role: tool message', async () => {
    const server = await serveForTest({fixture: 'openai/basic'})
    await collect(openaiProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, tools, messages: afterTools}), deps))
    const body = server.requests[0]!.body as Record<string, unknown>
    expect(body.tools).toEqual([
      {type: 'function', function: {name: 'read', description: 'Read a file.', parameters: tools[0]!.parameters}},
      {type: 'function', function: {name: 'exec', description: 'Run a command.', parameters: tools[1]!.parameters}},
    ])
    expect(body.messages).toEqual([
      {role: 'system', content: 'You are a test.'},
      {role: 'user', content: 'what is in my notes?'},
      {
        role: 'assistant',
        content: 'Looking.',
        tool_calls: [
          {id: 'call_1', type: 'function', function: {name: 'read', arguments: '{"path":"MEMORY.md"}'}},
          {id: 'call_2', type: 'function', function: {name: 'exec', arguments: '{"command":"ls"}'}},
        ],
      },
      {role: 'tool', tool_call_id: 'call_1', content: '# Memory'},
      {role: 'tool', tool_call_id: 'call_2', content: 'exit 2'},
    ])
  })

  it('no tools offered: no tools field at all (chat only)', async () => {
    const server = await serveForTest({fixture: 'openai/basic'})
    await collect(openaiProvider.stream(request({baseUrl: server.baseUrl, apiKey: KEY, tools: []}), deps))
    expect(server.requests[0]!.body).not.toHaveProperty('tools')
  })
})

describe('compatible servers that leave out the index', () => {
  const head = '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":'
  const chunk = (delta: unknown, finish: string | null = null) => `data: ${head}${JSON.stringify(delta)},"finish_reason":${JSON.stringify(finish)}}]}\n\n`

  it('pieces join their call by id, or the last call when they carry neither index nor id', async () => {
    const stream = [
      chunk({tool_calls: [{id: 'call_a', type: 'function', function: {name: 'read', arguments: '{"pa'}}]}),
      chunk({tool_calls: [{function: {arguments: 'th":"A"}'}}]}),
      chunk({tool_calls: [{id: 'call_b', type: 'function', function: {name: 'exec', arguments: ''}}]}),
      chunk({tool_calls: [{id: 'call_b', function: {arguments: '{"command":"ls"}'}}]}),
      chunk({}, 'tool_calls'),
      'data: [DONE]\n\n',
    ].join('')
    const server = await serveForTest({fixture: 'openai/basic', stream})
    const result = await collect(openaiCompatibleProvider.stream(request({baseUrl: server.baseUrl, apiKey: '', tools}), deps))
    expect(result.error).toBeUndefined()
    expect(result.toolCalls).toEqual([
      {id: 'call_a', name: 'read', input: '{"path":"A"}'},
      {id: 'call_b', name: 'exec', input: '{"command":"ls"}'},
    ])
  })
})
