import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {SessionStore} from '../../src/agent/sessions/store.js'
import {ALLOWED_TOOLS_HEADER} from '../../src/contract/agent-header.js'
import {transcriptMessageSchema} from '../../src/contract/sessions.js'
import {streamEventSchema} from '../../src/contract/stream.js'
import {readSse} from '../helpers/sse.js'
import {useInProcessAgent} from './in-process-agent.js'
import {MemoryToolbox} from './tool-box.js'
import {DEV_TOOLS_LOOP, NOTE} from './dev-tools.js'

/**
 * The agent's session routes with tools, in this process: the allowed-tools header decides what
 * the model is offered, `dev/tools` runs the whole loop, the transcript keeps the calls, an
 * answer that asked for approval waits on the approve route, and an answer cut off by a crash
 * comes back marked interrupted.
 */
describe('agent sessions with tools (in process)', () => {
  const toolbox = new MemoryToolbox()
  const {api} = useInProcessAgent({toolbox})

  const newSession = async (model = 'dev/tools') => ((await (await api('POST', '/sessions', {model})).json()) as {id: string}).id
  const send = async (sid: string, body: Record<string, unknown>, tools?: string) => {
    const res = await api('POST', `/sessions/${sid}/messages`, body, tools === undefined ? {} : {[ALLOWED_TOOLS_HEADER]: tools})
    expect(res.status).toBe(200)
    return res
  }
  const all = async (res: Response) => {
    const out = []
    for await (const e of readSse(res)) out.push(e.data)
    return out
  }

  it('dev/tools with every tool allowed: the whole loop, each event valid under the contract, and the calls kept in the transcript', async () => {
    const sid = await newSession()
    const events = await all(await send(sid, {content: 'remember the milk'}, 'read,write,edit,exec,web_fetch,memory_search,memory_get'))
    for (const e of events) expect(streamEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true)
    const shape = events.map((e) => (e.type.startsWith('tool.') ? `${e.type}:${e.name}` : e.type)).filter((k, i, a) => !(k === 'text.delta' && a[i - 1] === k))
    expect(shape).toEqual(['session', 'message.start', ...DEV_TOOLS_LOOP, 'message.end'])
    expect(events.at(-1)).toMatchObject({stop_reason: 'end_turn'})
    expect(toolbox.files.get(NOTE)).toContain('remember the milk')

    const detail = (await (await api('GET', `/sessions/${sid}`)).json()) as {messages: unknown[]}
    const answer = transcriptMessageSchema.parse(detail.messages[1])
    expect(answer.tools?.map((t) => [t.name, t.ok])).toEqual([
      ['write', true],
      ['read', true],
      ['exec', true],
    ])
    expect(answer.tools?.[0]?.arguments).toMatchObject({path: NOTE})
    expect(answer.content).toMatch(/^I'll write a note[\s\S]*Done\. This was dev\/tools/)
  })

  it('without the header (or with names it does not know) the message is chat only: nothing offered, nothing run', async () => {
    const before = toolbox.calls.length
    for (const header of [undefined, '', 'bash,rm,../exec', ' , ']) {
      const sid = await newSession()
      const events = await all(await send(sid, {content: 'try tools'}, header))
      expect(events.some((e) => e.type === 'tool.start')).toBe(false)
      expect(events.filter((e) => e.type === 'text.delta').map((e) => e.text).join('')).toMatch(/may not use any tools/)
    }
    expect(toolbox.calls.length).toBe(before)
  })

  it('only the tools in the header are offered: with read alone, dev/tools only reads', async () => {
    const before = toolbox.calls.length
    const sid = await newSession()
    const events = await all(await send(sid, {content: 'x'}, 'read'))
    expect(events.filter((e) => e.type === 'tool.start').map((e) => e.name)).toEqual(['read'])
    expect(toolbox.calls.slice(before).map((c) => c.name)).toEqual(['read'])
  })

  it('approve: the answer waits at write for the approve route; yes runs it, no skips exec and the model is told', async () => {
    const before = toolbox.calls.length
    const sid = await newSession()
    const res = await send(sid, {content: 'with approval', approve: true}, 'read,write,exec')
    let mid = ''
    const seen: any[] = []
    for await (const {data} of readSse(res)) {
      seen.push(data)
      if (data.type === 'message.start') mid = data.message_id
      if (data.type === 'tool.start' && data.needs_approval) {
        // Nothing runs before the answer.
        expect(toolbox.calls.length - before).toBe(data.name === 'write' ? 0 : 2)
        const approve = data.name === 'write'
        const answered = await (await api('POST', `/sessions/${sid}/messages/${mid}/approve`, {tool_call_id: data.id, approve})).json()
        expect(answered).toEqual({accepted: true})
        // A second answer for the same call is not taken.
        expect(await (await api('POST', `/sessions/${sid}/messages/${mid}/approve`, {tool_call_id: data.id, approve: true})).json()).toEqual({accepted: false})
      }
    }
    expect(seen.filter((e) => e.type === 'tool.start').map((e) => [e.name, e.needs_approval ?? false])).toEqual([
      ['write', true],
      ['read', false],
      ['exec', true],
    ])
    expect(toolbox.calls.slice(before).map((c) => c.name)).toEqual(['write', 'read'])
    expect(seen.find((e) => e.type === 'tool.end' && e.name === 'exec')).toMatchObject({ok: false, skipped: 'denied'})
    expect(seen.filter((e) => e.type === 'text.delta').map((e) => e.text).join('')).toMatch(/exec: failed \(The user declined this call/)
  })

  it('the approve route checks its body and answers {accepted: false} for calls that are not waiting', async () => {
    const sid = await newSession()
    expect((await api('POST', `/sessions/${sid}/messages/msg_abcdefghijklmnopqrst/approve`, {tool_call_id: 'x'})).status).toBe(400)
    expect(await (await api('POST', `/sessions/${sid}/messages/msg_abcdefghijklmnopqrst/approve`, {tool_call_id: 'x', approve: true})).json()).toEqual({accepted: false})
  })
})

describe('an answer cut off by a crash', () => {
  it('its draft joins the transcript marked interrupted, and its saved events end with an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawd-draft-'))
    try {
      const {Vault} = await import('../../src/agent/vault.js')
      const key = randomBytes(32)
      const store = new SessionStore(await Vault.open(dir, key))
      const now = new Date().toISOString()
      await store.create({id: 'ses_aaaaaaaaaaaaaaaaaaaa', title: '', model: 'dev/slow', created_at: now, updated_at: now, message_count: 0, usage: {input_tokens: 0, output_tokens: 0}})
      await store.append('ses_aaaaaaaaaaaaaaaaaaaa', {id: 'msg_uuuuuuuuuuuuuuuuuuuu', role: 'user', content: 'hi', created_at: now})
      const draft = {id: 'msg_dddddddddddddddddddd', role: 'assistant' as const, content: 'The first half', created_at: now, model: 'dev/slow', usage: {input_tokens: 3, output_tokens: 2}}
      await store.saveDraft('ses_aaaaaaaaaaaaaaaaaaaa', draft)
      await store.saveEvents('ses_aaaaaaaaaaaaaaaaaaaa', draft.id, [
        {id: 1, event: {type: 'session', session_id: 'ses_aaaaaaaaaaaaaaaaaaaa', instance_id: 'i'}},
        {id: 2, event: {type: 'message.start', message_id: draft.id, model: 'dev/slow'}},
        {id: 3, event: {type: 'text.delta', text: 'The first half'}},
      ])

      // A new process opens the same vault.
      const after = new SessionStore(await Vault.open(dir, key))
      expect(await after.recoverDrafts()).toBe(1)
      expect(await after.recoverDrafts()).toBe(0)
      const messages = await after.messages('ses_aaaaaaaaaaaaaaaaaaaa')
      expect(messages).toHaveLength(2)
      expect(messages[1]).toMatchObject({id: draft.id, content: 'The first half', interrupted: true, stop_reason: 'error'})
      const events = (await after.loadEvents('ses_aaaaaaaaaaaaaaaaaaaa', draft.id))!
      expect(events.at(-1)).toMatchObject({id: 4, event: {type: 'error', code: 'instance_unavailable'}})
      expect((await after.get('ses_aaaaaaaaaaaaaaaaaaaa'))!.usage).toEqual({input_tokens: 3, output_tokens: 2})
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('dev/tools with the agent’s own toolbox (src/agent/tools)', () => {
  const {api, agent} = useInProcessAgent()

  it('the note written by the agent is in the workspace that export reads; exec says what it can do here', async () => {
    expect(agent().ctx.toolbox).toBeDefined()
    const sid = ((await (await api('POST', '/sessions', {model: 'dev/tools'})).json()) as {id: string}).id
    const res = await api('POST', `/sessions/${sid}/messages`, {content: 'a note for export'}, {[ALLOWED_TOOLS_HEADER]: 'read,write,exec'})
    const events = []
    for await (const e of readSse(res)) events.push(e.data)
    const ends = events.filter((e) => e.type === 'tool.end')
    expect(ends.map((e) => [e.name, e.ok])).toEqual([
      ['write', true],
      ['read', true],
      // Without a tool sandbox configured, exec answers that it is not available (and the loop goes on).
      ['exec', expect.any(Boolean)],
    ])
    expect(ends[1].output).toContain('a note for export')
    expect(events.at(-1).type).toBe('message.end')
    const workspace = (await (await api('GET', '/workspace')).json()) as {files: Array<{path: string; content: string}>}
    const note = workspace.files.find((f) => f.path === NOTE)
    expect(note?.content).toContain('a note for export')
  })
})
