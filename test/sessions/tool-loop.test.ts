import {afterEach, describe, expect, it} from 'vitest'
import {anthropicProvider} from '../../src/agent/providers/anthropic.js'
import {devProvider} from '../../src/agent/providers/dev.js'
import {ProviderError} from '../../src/agent/providers/errors.js'
import type {Provider, ProviderEvent, ProviderRequest} from '../../src/agent/providers/types.js'
import {PendingApprovals} from '../../src/agent/sessions/approvals.js'
import {DEFAULT_TOOL_LOOP_LIMITS, type ToolLoopLimits} from '../../src/agent/sessions/limits.js'
import {runToolLoop, ToolLimitError, type ToolLoopOptions, type TurnProgress} from '../../src/agent/sessions/tool-loop.js'
import type {ToolName} from '../../src/agent/tools/types.js'
import type {StreamEvent} from '../../src/contract/stream.js'
import {startProviderServer, type ProviderServer} from '../helpers/provider-server.js'
import {MemoryToolbox} from './tool-box.js'
import {COMMAND, DEV_TOOLS_LOOP, NOTE} from './dev-tools.js'

const ALL: ToolName[] = ['read', 'write', 'edit', 'exec', 'web_fetch', 'memory_search', 'memory_get']

/** A provider that plays `steps[i]` on its i-th call (the last one again after that) and keeps each request. */
function scripted(steps: ProviderEvent[][]): Provider & {requests: ProviderRequest[]} {
  const requests: ProviderRequest[] = []
  return {
    name: 'scripted',
    requests,
    async *stream(req) {
      requests.push({...req, messages: [...req.messages]})
      const events = steps[Math.min(requests.length - 1, steps.length - 1)]!
      for (const e of events) {
        await new Promise((r) => setImmediate(r))
        if (req.signal.aborted) throw new ProviderError('aborted', 'stopped')
        yield e
      }
    },
  }
}
const call = (id: string, name: string, input: unknown): ProviderEvent => ({type: 'tool_call', id, name, input: typeof input === 'string' ? input : JSON.stringify(input)})
const done = (stopReason: 'tool_use' | 'end_turn' = 'end_turn'): ProviderEvent => ({type: 'done', stopReason, usage: {input_tokens: 10, output_tokens: 5}})
const text = (t: string): ProviderEvent => ({type: 'text', text: t})

function setup(provider: Provider, overrides: Partial<ToolLoopOptions> & {limits?: Partial<ToolLoopLimits>} = {}) {
  const toolbox = new MemoryToolbox()
  const events: StreamEvent[] = []
  const progress: TurnProgress = {text: '', usage: {input_tokens: 0, output_tokens: 0}, stopReason: 'end_turn', tools: []}
  const abort = new AbortController()
  const opts: ToolLoopOptions = {
    provider,
    providerDeps: {fetch, timing: {idleTimeoutMs: 2000, maxAttempts: 1}},
    request: {model: 'tools', system: '', apiKey: 'k', baseUrl: ''},
    history: [{role: 'user', content: 'please take a note'}],
    toolbox,
    allowed: ALL,
    signal: abort.signal,
    emit: (e) => events.push(e),
    ...overrides,
    limits: {...DEFAULT_TOOL_LOOP_LIMITS, ...overrides.limits},
  }
  return {toolbox, events, progress, abort, opts, run: () => runToolLoop(opts, progress)}
}

const kinds = (events: StreamEvent[]) =>
  events
    .map((e) => (e.type === 'tool.start' || e.type === 'tool.end' ? `${e.type}:${e.name}` : e.type))
    // Runs of text deltas read as one.
    .filter((k, i, all) => !(k === 'text.delta' && all[i - 1] === 'text.delta'))

describe('the tool loop with dev/tools (offline, deterministic)', () => {
  it('writes a note, reads it back, runs one exec, then answers: events in order, each call once', async () => {
    const t = setup(devProvider)
    await t.run()
    expect(kinds(t.events)).toEqual(DEV_TOOLS_LOOP)
    expect(t.toolbox.calls.map((c) => c.name)).toEqual(['write', 'read', 'exec'])
    const note = t.toolbox.files.get(NOTE)
    expect(note).toContain('please take a note')
    const ends = t.events.filter((e) => e.type === 'tool.end')
    expect(ends.every((e) => e.ok)).toBe(true)
    // read gave back exactly what write wrote; exec ran on it.
    expect(ends[1]!.output).toBe(note)
    expect(t.toolbox.calls[2]!.args).toEqual({command: COMMAND})
    expect(t.progress.text).toMatch(/Done\. This was dev\/tools/)
    expect(t.progress.text).toContain(`exec: ok (${Buffer.byteLength(note!)} ${NOTE})`)
    expect(t.progress.tools.map((c) => [c.name, c.ok])).toEqual([
      ['write', true],
      ['read', true],
      ['exec', true],
    ])
    expect(t.progress.stopReason).toBe('end_turn')
    // Usage adds up over the four model calls.
    expect(t.progress.usage.output_tokens).toBeGreaterThan(4)
  })

  it('is the same every time', async () => {
    const a = setup(devProvider)
    const b = setup(devProvider)
    await a.run()
    await b.run()
    expect(a.events).toEqual(b.events)
  })

  it('with no tools allowed it offers none, runs none, and says so', async () => {
    const t = setup(devProvider, {allowed: []})
    await t.run()
    expect(t.toolbox.calls).toEqual([])
    expect(t.events.some((e) => e.type === 'tool.start')).toBe(false)
    expect(t.progress.text).toMatch(/may not use any tools/)
  })

  it('offers only the allowed tools: with read alone, dev/tools reads (and fails: there is no note) and never writes', async () => {
    const provider = scripted([[]])
    const t0 = setup(provider, {allowed: ['read']})
    await t0.run()
    expect(provider.requests[0]!.tools!.map((d) => d.name)).toEqual(['read'])
    const t = setup(devProvider, {allowed: ['read']})
    await t.run()
    expect(t.toolbox.calls.map((c) => c.name)).toEqual(['read'])
  })

  it('a call to a tool that was not allowed is never run: the model is told there is no such tool', async () => {
    const provider = scripted([[call('c1', 'exec', {command: 'cat /etc/passwd'}), done('tool_use')], [text('ok'), done()]])
    const t = setup(provider, {allowed: ['read']})
    await t.run()
    expect(t.toolbox.calls).toEqual([])
    const end = t.events.find((e) => e.type === 'tool.end')
    expect(end).toMatchObject({name: 'exec', ok: false})
    const results = provider.requests[1]!.messages.at(-1)!
    expect(results).toMatchObject({role: 'tool', results: [{id: 'c1', ok: false}]})
    expect((results as {results: Array<{output: string}>}).results[0]!.output).toMatch(/no tool named "exec".*read/)
  })
})

describe('the loop with a scripted model', () => {
  it('runs the calls of one step in parallel, and gives the model every result, in call order, with its id', async () => {
    const provider = scripted([
      [text('Both at once.'), call('a', 'read', {path: 'A'}), call('b', 'exec', {command: 'x'}), done('tool_use')],
      [text('Done.'), done()],
    ])
    const t = setup(provider)
    let release!: () => void
    const bothRunning = new Promise<void>((r) => (release = r))
    t.toolbox.hold = async () => {
      if (t.toolbox.running === 2) release()
      await bothRunning
    }
    await t.run()
    expect(t.toolbox.maxRunning).toBe(2)
    expect(provider.requests[1]!.messages.slice(-2)).toEqual([
      {role: 'assistant', content: 'Both at once.', toolCalls: [{id: 'a', name: 'read', input: '{"path":"A"}'}, {id: 'b', name: 'exec', input: '{"command":"x"}'}]},
      {
        role: 'tool',
        results: [
          {id: 'a', name: 'read', ok: false, output: 'A: no such file'},
          {id: 'b', name: 'exec', ok: false, output: 'exit 1'},
        ],
      },
    ])
    expect(t.progress.text).toBe('Both at once.\nDone.')
  })

  it('arguments that are not a JSON object become a tool error for the model to correct, and nothing runs', async () => {
    const provider = scripted([[call('a', 'read', '{"path": "A"'), call('b', 'read', '[1]'), done('tool_use')], [text('sorry'), done()]])
    const t = setup(provider)
    await t.run()
    expect(t.toolbox.calls).toEqual([])
    const results = (provider.requests[1]!.messages.at(-1) as {results: Array<{ok: boolean; output: string}>}).results
    expect(results.map((r) => r.ok)).toEqual([false, false])
    expect(results[0]!.output).toMatch(/not a JSON object \(not valid JSON\)/)
    expect(results[1]!.output).toMatch(/not a JSON object \(not an object\)/)
    expect(t.events.filter((e) => e.type === 'tool.start').map((e) => (e as {arguments: unknown}).arguments)).toEqual([{}, {}])
  })

  it('the step bound stops a model that never ends its turn, with a clear tool_limit error', async () => {
    const provider = scripted([[call('again', 'read', {path: 'x'}), done('tool_use')]])
    const t = setup(provider, {limits: {maxSteps: 4}})
    const error = await t.run().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ToolLimitError)
    expect((error as Error).message).toMatch(/after 4 steps: it was still calling tools/)
    expect(provider.requests).toHaveLength(4)
    expect(t.toolbox.calls).toHaveLength(3)
  })

  it('the time bound stops a loop whose tool takes too long, and the tool sees the abort', async () => {
    const provider = scripted([[call('slow', 'exec', {command: 'sleep 3600'}), done('tool_use')]])
    const t = setup(provider, {limits: {maxMs: 300}})
    let toolSawAbort = false
    t.toolbox.hold = (_n, _a, signal) =>
      new Promise((resolve) =>
        signal.addEventListener('abort', () => {
          toolSawAbort = true
          resolve()
        }),
      )
    const error = await t.run().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ToolLimitError)
    expect((error as Error).message).toMatch(/after 300 ms/)
    expect(toolSawAbort).toBe(true)
  })

  it('the answer stopping (Ctrl-C, abort route) stops a running tool and the loop', async () => {
    const provider = scripted([[call('slow', 'exec', {command: 'sleep 3600'}), done('tool_use')], [text('never'), done()]])
    const t = setup(provider)
    t.toolbox.hold = (_n, _a, signal) => {
      setImmediate(() => t.abort.abort(new Error('stopped by the user')))
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve()))
    }
    await expect(t.run()).rejects.toThrow('stopped by the user')
    expect(provider.requests).toHaveLength(1)
    expect(t.events.at(-1)).toMatchObject({type: 'tool.end', ok: false})
  })

  it('with approval: exec, write and edit wait for the person; a no skips the call and the model is told so; read never asks', async () => {
    const provider = scripted([
      [call('r', 'read', {path: 'A'}), call('w', 'write', {path: 'A', content: 'x'}), call('e', 'exec', {command: 'rm -rf /'}), done('tool_use')],
      [text('ok'), done()],
    ])
    const asked: string[] = []
    const t = setup(provider, {
      approve: async (c) => {
        asked.push(c.name)
        return c.name === 'write' ? 'approved' : 'denied'
      },
    })
    await t.run()
    expect(asked.sort()).toEqual(['exec', 'write'])
    expect(t.toolbox.calls.map((c) => c.name).sort()).toEqual(['read', 'write'])
    const starts = t.events.filter((e) => e.type === 'tool.start') as Array<Extract<StreamEvent, {type: 'tool.start'}>>
    expect(starts.map((s) => [s.name, s.needs_approval ?? false])).toEqual([
      ['read', false],
      ['write', true],
      ['exec', true],
    ])
    const execEnd = t.events.find((e) => e.type === 'tool.end' && e.name === 'exec')
    expect(execEnd).toMatchObject({ok: false, skipped: 'denied'})
    const results = (provider.requests[1]!.messages.at(-1) as {results: Array<{id: string; output: string}>}).results
    expect(results.find((r) => r.id === 'e')!.output).toMatch(/The user declined this call, so it did not run/)
  })

  it('a tool.end output is shortened for display; the model gets the whole output', async () => {
    const provider = scripted([[call('a', 'read', {path: 'big'}), done('tool_use')], [done()]])
    const t = setup(provider)
    t.toolbox.files.set('big', 'x'.repeat(5000))
    await t.run()
    const end = t.events.find((e) => e.type === 'tool.end') as {output: string}
    expect(end.output.length).toBeLessThanOrEqual(500)
    expect(end.output.endsWith('…')).toBe(true)
    expect((provider.requests[1]!.messages.at(-1) as {results: Array<{output: string}>}).results[0]!.output).toHaveLength(5000)
  })
})

describe('approvals when a provider reuses a call id', () => {
  /** The loop asking through the answer's real PendingApprovals; the person answers each question by its event id. */
  function withPerson(provider: Provider, decide: (start: Extract<StreamEvent, {type: 'tool.start'}>) => boolean, waitMs: (nth: number) => number = () => 60_000) {
    const approvals = new PendingApprovals()
    const answered: boolean[] = []
    let asked = 0
    const t = setup(provider, {approve: (c, signal) => approvals.wait(c.id, waitMs(++asked), signal)})
    t.opts.emit = (e) => {
      t.events.push(e)
      // The person answers after the question is out, as a client does.
      if (e.type === 'tool.start' && e.needs_approval) setImmediate(() => answered.push(approvals.answer(e.id, decide(e))))
    }
    return {...t, approvals, answered}
  }
  const starts = (events: StreamEvent[]) => events.filter((e): e is Extract<StreamEvent, {type: 'tool.start'}> => e.type === 'tool.start')

  it('two parallel calls with one id: each answer reaches its own call, so a yes to one never runs the other', async () => {
    const provider = scripted([
      [call('same', 'exec', {command: 'echo safe'}), call('same', 'exec', {command: 'rm -rf /'}), done('tool_use')],
      [text('ok'), done()],
    ])
    const t = withPerson(provider, (start) => start.arguments.command === 'echo safe')
    await t.run()
    expect(t.toolbox.calls).toEqual([{name: 'exec', args: {command: 'echo safe'}}])
    const [first, second] = starts(t.events)
    expect(first!.id).not.toBe(second!.id)
    expect(t.answered).toEqual([true, true])
    expect(t.events.find((e) => e.type === 'tool.end' && e.id === second!.id)).toMatchObject({ok: false, skipped: 'denied'})
    expect(t.progress.tools.map((c) => c.id)).toEqual([first!.id, second!.id])
    // The model still gets its own ids back.
    expect((provider.requests[1]!.messages.at(-1) as {results: Array<{id: string}>}).results.map((r) => r.id)).toEqual(['same', 'same'])
  })

  it('a late answer to a call that timed out does not answer a later step’s call with the same id', async () => {
    const provider = scripted([
      [call('x', 'exec', {command: 'ls'}), done('tool_use')],
      [call('x', 'exec', {command: 'rm -rf /'}), done('tool_use')],
      [text('ok'), done()],
    ])
    let lateYes: boolean | undefined
    // The first question times out at once; the person's yes to it arrives while the second waits.
    const t = withPerson(provider, () => false, (nth) => (nth === 1 ? 1 : 60_000))
    t.opts.emit = (e) => {
      t.events.push(e)
      if (e.type === 'tool.start' && e.needs_approval && starts(t.events).length === 2) {
        setImmediate(() => {
          lateYes = t.approvals.answer(starts(t.events)[0]!.id, true)
          t.approvals.answer(e.id, false)
        })
      }
    }
    await t.run()
    expect(lateYes).toBe(false)
    expect(t.toolbox.calls).toEqual([])
    expect(t.events.filter((e) => e.type === 'tool.end').map((e) => (e as {skipped?: string}).skipped)).toEqual(['no_answer', 'denied'])
  })

  it('a second wait on an id still waiting is a no at once, never a shadow of the first', async () => {
    const approvals = new PendingApprovals()
    const signal = new AbortController().signal
    const first = approvals.wait('a', 60_000, signal)
    expect(await approvals.wait('a', 60_000, signal)).toBe('no_answer')
    expect(approvals.answer('a', true)).toBe(true)
    expect(await first).toBe('approved')
  })
})

describe('the loop against a recorded provider (Anthropic wire format over HTTP)', () => {
  let server: ProviderServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('tool_use → tool_result → the final answer: two requests, the second carrying the call and its result', async () => {
    server = await startProviderServer({fixture: ['anthropic/tool-use', 'anthropic/basic'], chunkBytes: 3})
    const t = setup(anthropicProvider, {request: {model: 'claude-test', system: 'sys', apiKey: 'sk-ant-test', baseUrl: server.baseUrl}})
    t.toolbox.files.set('memory/2026-12-01.md', 'met Ana')
    await t.run()
    expect(t.toolbox.calls).toEqual([{name: 'read', args: {path: 'memory/2026-12-01.md', limit: 40}}])
    expect(server.requests).toHaveLength(2)
    const second = server.requests[1]!.body as {messages: unknown[]; tools: unknown[]}
    expect(second.tools).toHaveLength(ALL.length)
    expect(second.messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: [
          {type: 'text', text: "I'll check what is in your notes."},
          {type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'read', input: {path: 'memory/2026-12-01.md', limit: 40}},
        ],
      },
      {role: 'user', content: [{type: 'tool_result', tool_use_id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', content: 'met Ana'}]},
    ])
    expect(kinds(t.events)).toEqual(['text.delta', 'tool.start:read', 'tool.end:read', 'text.delta'])
    expect(t.progress.text).toBe("I'll check what is in your notes.\nHello! How can I help you today?")
    expect(t.progress.usage).toEqual({input_tokens: 712 + 19, output_tokens: 71 + 12})
  })

  it('the step bound stops a recorded model that always asks for a tool', async () => {
    server = await startProviderServer({fixture: 'anthropic/tool-use'})
    const t = setup(anthropicProvider, {
      request: {model: 'claude-test', system: '', apiKey: 'sk-ant-test', baseUrl: server.baseUrl},
      limits: {maxSteps: 3},
    })
    await expect(t.run()).rejects.toBeInstanceOf(ToolLimitError)
    expect(server.requests).toHaveLength(3)
    expect(t.toolbox.calls).toHaveLength(2)
  })

  it('a tool-call stream cut mid-arguments ends the loop with a provider_bad_stream error and runs nothing', async () => {
    server = await startProviderServer({fixture: 'anthropic/tool-use', mode: 'eof', cutAfter: 9})
    const t = setup(anthropicProvider, {request: {model: 'claude-test', system: '', apiKey: 'sk-ant-test', baseUrl: server.baseUrl}})
    const error = await t.run().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).code).toBe('provider_bad_stream')
    expect(t.toolbox.calls).toEqual([])
    expect(t.events.some((e) => e.type === 'tool.start')).toBe(false)
  })
})
