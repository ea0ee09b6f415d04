import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newUser, type TestUser} from '../helpers/auth.js'
import {type CliResult, json, runCli} from '../helpers/cli.js'
import {startProviderServer, type ProviderServer} from '../helpers/provider-server.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {startCuttingProxy, type CuttingProxy} from './cutting-proxy.js'

/** Parses NDJSON stdout: every line must be one contract event, and nothing else may be there. */
function ndjson(result: CliResult): any[] {
  const lines = result.stdout.split('\n')
  expect(lines.at(-1), 'stdout ends with a newline').toBe('')
  return lines.slice(0, -1).map((line) => JSON.parse(line))
}

const textOf = (events: any[]) => events.filter((e) => e.type === 'text.delta').map((e) => e.text).join('')

/** `clawd chat` and `clawd sessions` end to end: the built CLI against `clawd server start`. */
describe('clawd chat (e2e)', () => {
  let server: ServerProcess
  let refusing: ProviderServer
  let user: TestUser
  const env = (url = server.url) => ({CLAWD_API_URL: url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli')})
  const cli = (args: string[], input?: string, url?: string) => runCli(args, {input, env: env(url), timeoutMs: 60_000})

  beforeAll(async () => {
    // A provider that refuses every key, for a failed answer.
    refusing = await startProviderServer({fixture: 'anthropic/basic', mode: '401'})
    // The dev provider pauses between deltas so a cut can land in the middle of an answer.
    server = await startServerProcess({args: ['--dev-delay', '20ms', '--messages-per-day', '20', '--provider-url', `anthropic=${refusing.url}`, '--egress-allow', '127.0.0.1']})
    user = await newUser({url: server.url, adminSocket: join(server.dataDir, 'admin.sock')})
    const created = await cli(['instance', 'create', 'talker', '--wait', '--model', 'dev/echo', '--json'])
    expect(created.code, created.stderr).toBe(0)
    for (const provider of ['dev', 'anthropic']) {
      const set = await cli(['keys', 'set', provider, '--json'], 'not-a-real-key')
      expect(set.code, set.stderr).toBe(0)
    }
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    await refusing?.close()
  })

  it('--json prints the events in order, one per line, ending with message.end', async () => {
    const result = await cli(['chat', '-m', 'hi', '--model', 'dev/echo', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const events = ndjson(result)
    expect(events[0]).toMatchObject({type: 'session', session_id: expect.stringMatching(/^ses_/)})
    expect(events[1]).toMatchObject({type: 'message.start', message_id: expect.stringMatching(/^msg_/), model: 'dev/echo'})
    expect(events.at(-1)).toMatchObject({type: 'message.end', message_id: events[1].message_id, stop_reason: 'end_turn'})
    expect(events.at(-1).usage.output_tokens).toBeGreaterThan(0)
    expect(new Set(events.slice(2, -1).map((e) => e.type))).toEqual(new Set(['text.delta']))
    expect(textOf(events)).toMatch(/dev provider.*You said: "hi"/)
  })

  it('prints the text as it streams, and the same text as the events carry', async () => {
    const events = ndjson(await cli(['chat', '-m', 'same words', '--json']))
    const result = await cli(['chat', '-m', 'same words'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe(textOf(events) + '\n')
  })

  it('takes the message from piped stdin, and refuses an empty one with exit 2', async () => {
    const piped = await cli(['chat', '--json'], 'a message from a pipe\n')
    expect(piped.code, piped.stderr).toBe(0)
    expect(textOf(ndjson(piped))).toContain('You said: "a message from a pipe"')
    const empty = await cli(['chat'], '')
    expect(empty.code).toBe(2)
    expect(empty.stdout).toBe('')
    expect(empty.stderr).toMatch(/stdin was empty/)
    expect(empty.stderr).toMatch(/Hint: .*-m/)
  })

  it('a failed answer exits with its code and says what to do; --json prints only the error event', async () => {
    const human = await cli(['chat', '-m', 'hi', '--model', 'anthropic/claude-test'])
    expect(human.code).toBe(4)
    expect(human.stderr).toMatch(/Error: .+/)
    expect(human.stderr).toMatch(/Hint: .+/)
    const machine = await cli(['chat', '-m', 'hi', '--model', 'anthropic/claude-test', '--json'])
    expect(machine.code).toBe(4)
    const events = ndjson(machine)
    expect(events.at(-1)).toMatchObject({type: 'error', code: 'provider_auth'})
    expect(events.map((e) => e.type)).not.toContain('message.end')
  })

  it('a bad flag is a usage error before anything is sent', async () => {
    expect((await cli(['chat', '-m', 'hi', '--model', 'no-slash'])).code).toBe(2)
    expect((await cli(['chat', '-m', 'hi', '--session', 'not-a-session'])).code).toBe(2)
    expect((await cli(['chat', '-m', 'hi', '--session', 'ses_abcdefghijklmnopqrst'])).code).toBe(3)
  })

  it('continues a session, and sessions list/show/delete/clear round trip with usage', async () => {
    const first = ndjson(await cli(['chat', '-m', 'first question', '--new', '--json']))
    const sid = first[0].session_id
    const second = await cli(['chat', '-m', 'second question', '--session', sid, '--json'])
    expect(second.code, second.stderr).toBe(0)
    expect(ndjson(second)[0].session_id).toBe(sid)

    const listed = json(await cli(['sessions', 'list', '--json']))
    const entry = listed.sessions.find((s: any) => s.id === sid)
    expect(entry).toMatchObject({message_count: 4})
    expect(entry.usage.output_tokens).toBeGreaterThan(0)
    const table = await cli(['sessions', 'list'])
    expect(table.stdout).toMatch(new RegExp(`${sid}.*\\d+ in / \\d+ out`))

    const detail = json(await cli(['sessions', 'show', sid, '--json']))
    expect(detail.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant'])
    expect(detail.messages[1].content).toBe(textOf(first))
    const assistantUsage = detail.messages.filter((m: any) => m.role === 'assistant').map((m: any) => m.usage)
    const shown = await cli(['sessions', 'show', sid])
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain('first question')
    for (const u of assistantUsage) expect(shown.stdout).toContain(`tokens ${u.input_tokens} in / ${u.output_tokens} out`)
    expect(shown.stdout).toContain(`Total: ${detail.usage.input_tokens} in / ${detail.usage.output_tokens} out tokens`)

    const refused = await cli(['sessions', 'delete', sid])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/--yes/)
    const deleted = await cli(['sessions', 'delete', sid, '--yes', '--json'])
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(json(deleted)).toEqual({id: sid, deleted: true})
    expect((await cli(['sessions', 'show', sid])).code).toBe(3)

    expect((await cli(['sessions', 'clear'])).code).toBe(2)
    const remaining = json(await cli(['sessions', 'list', '--json'])).sessions.length
    expect(remaining).toBeGreaterThan(0)
    const cleared = await cli(['sessions', 'clear', '--yes', '--json'])
    expect(cleared.code, cleared.stderr).toBe(0)
    expect(json(cleared)).toEqual({deleted: remaining})
    expect(json(await cli(['sessions', 'list', '--json'])).sessions).toEqual([])
    expect((await cli(['sessions', 'list'])).stdout).toMatch(/No sessions/)
  })

  describe('through a proxy that cuts the answer’s connection', () => {
    let proxy: CuttingProxy
    beforeAll(async () => {
      proxy = await startCuttingProxy(server.url)
    })
    afterAll(async () => {
      await proxy?.close()
    })

    it('resumes by itself: the same text as an uninterrupted run, no delta doubled or missing', async () => {
      const message = 'please survive a cut'
      const whole = ndjson(await cli(['chat', '-m', message, '--json']))
      // Cut once the headers and a few events are through.
      proxy.cutNextAnswerAfter(700)
      const cut = await cli(['chat', '-m', message, '--json'], undefined, proxy.url)
      expect(cut.code, cut.stderr).toBe(0)
      expect(proxy.cuts).toBe(1)
      expect(cut.stderr).toMatch(/connection lost; resuming/)
      const events = ndjson(cut)
      expect(events.map((e) => e.type)).toEqual(whole.map((e) => e.type))
      expect(textOf(events)).toBe(textOf(whole))
      expect(events.at(-1)).toMatchObject({type: 'message.end', stop_reason: 'end_turn'})
      expect(proxy.resumes).toEqual([expect.stringMatching(/^\d+$/)])
    })

    it('in text mode too', async () => {
      const whole = await cli(['chat', '-m', 'cut me in text'])
      proxy.cutNextAnswerAfter(800)
      const cut = await cli(['chat', '-m', 'cut me in text'], undefined, proxy.url)
      expect(cut.code, cut.stderr).toBe(0)
      expect(proxy.cuts).toBe(2)
      expect(cut.stdout).toBe(whole.stdout)
    })
  })

  it('past the daily message quota: exit 6, and it says when the limit resets', async () => {
    const sid = json(await cli(['sessions', 'list', '--json'])).sessions[0]?.id ?? ndjson(await cli(['chat', '-m', 'hi', '--json']))[0].session_id
    const instance = json(await cli(['instance', 'show', 'talker', '--json'])).id
    // Spend what is left of today's quota quickly (the answers fail at once: the provider refuses).
    let status = 0
    for (let i = 0; i < 25 && status !== 429; i++) {
      const res = await fetch(`${server.url}/v1/instances/${instance}/sessions/${sid}/messages`, {
        method: 'POST',
        headers: {authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json'},
        body: JSON.stringify({content: 'spend', model: 'anthropic/claude-test'}),
      })
      status = res.status
      await res.text()
    }
    expect(status).toBe(429)
    const human = await cli(['chat', '-m', 'one more'])
    expect(human.code).toBe(6)
    expect(human.stdout).toBe('')
    expect(human.stderr).toMatch(/20 messages a day/)
    expect(human.stderr).toMatch(/resets at \d{4}-\d{2}-\d{2}/)
    const machine = await cli(['chat', '-m', 'one more', '--json'])
    expect(machine.code).toBe(6)
    expect(json(machine).error).toMatchObject({code: 'quota_exceeded', hint: expect.stringMatching(/resets at/)})
  })
})
