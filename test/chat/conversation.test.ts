import {PassThrough, Readable} from 'node:stream'
import {afterEach, describe, expect, it} from 'vitest'
import type {StreamErrorCode} from '../../src/contract/stream.js'
import {apiFor} from '../../src/cli/kit/http/api.js'
import {ApiClient} from '../../src/cli/kit/http/api-client.js'
import {StaticToken} from '../../src/cli/credentials/auth-session.js'
import {AnswerFailed, exitCodeForStreamError} from '../../src/cli/chat/answer-failure.js'
import {JsonLinesView, playAnswer, TextView} from '../../src/cli/chat/answer-view.js'
import {chooseChatMode} from '../../src/cli/chat/chat-mode.js'
import {Conversation} from '../../src/cli/chat/conversation.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {HttpTransport} from '../../src/cli/kit/http/transport.js'
import type {IOStreams} from '../../src/cli/kit/io.js'
import {MessageStreamClient} from '../../src/cli/chat/message-stream.js'
import {answerEvents, INSTANCE_ID, MESSAGE_ID, SESSION_ID, startStandIn, type StandIn} from './sse-stand-in.js'

const WORDS = ['one ', 'two ', 'three ', 'four ', 'five ', 'six ', 'seven ', 'eight']
const TOKEN = 'clawd_at_' + 'b'.repeat(36)

let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

function conversation(url: string, sessionId?: string) {
  const auth = new StaticToken(TOKEN)
  const api = apiFor(new ApiClient(url, new HttpTransport({userAgent: 't', sleep: async () => {}}), auth))
  const streams = new MessageStreamClient({api, apiUrl: url})
  return new Conversation({api, streams, instance: INSTANCE_ID, sessionId, model: 'dev/echo', stopGraceMs: 5000})
}

function sink() {
  const out = new PassThrough()
  let text = ''
  out.on('data', (d) => (text += d))
  return {out, text: () => text}
}

describe('a conversation', () => {
  it('creates its session with the first message, then streams the text as it comes', async () => {
    standIn = await startStandIn({events: answerEvents(WORDS)})
    const chat = conversation(standIn.url)
    expect(chat.sessionId).toBeUndefined()
    const answer = await chat.ask('hello')
    expect(chat.sessionId).toBe(SESSION_ID)
    const stdout = sink()
    const outcome = await playAnswer(answer, new TextView(stdout.out))
    expect(outcome).toEqual({kind: 'complete', messageId: MESSAGE_ID, usage: {input_tokens: 3, output_tokens: WORDS.length}})
    expect(stdout.text()).toBe(WORDS.join('') + '\n')
    expect(standIn.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /v1/instances/${INSTANCE_ID}/sessions`,
      `POST /v1/instances/${INSTANCE_ID}/sessions/${SESSION_ID}/messages`,
    ])
    expect(JSON.parse(standIn.requests[0]!.body)).toEqual({model: 'dev/echo'})
  })

  it('--json writes exactly the events, one per line', async () => {
    const events = answerEvents(WORDS)
    standIn = await startStandIn({events})
    const stdout = sink()
    await playAnswer(await conversation(standIn.url, SESSION_ID).ask('hi'), new JsonLinesView(stdout.out))
    expect(stdout.text().trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(events)
    // --session continues that one: no new session.
    expect(standIn.requests.map((r) => r.method + ' ' + r.path.split('/').at(-1))).toEqual(['POST messages'])
  })

  it('stop() asks the API to stop, shows no more text, and the answer ends as stopped', async () => {
    standIn = await startStandIn({events: answerEvents(WORDS), delayMs: 30})
    const answer = await conversation(standIn.url, SESSION_ID).ask('hi')
    const stdout = sink()
    const view = new TextView(stdout.out)
    let deltas = 0
    const outcome = await playAnswer(answer, {
      async event(e) {
        await view.event(e)
        if (e.type === 'text.delta' && ++deltas === 2) answer.stop()
      },
      close: () => view.close(),
    })
    expect(outcome).toEqual({kind: 'stopped'})
    expect(standIn.aborts).toBe(1)
    expect(standIn.requests.at(-1)!.path).toBe(`/v1/instances/${INSTANCE_ID}/sessions/${SESSION_ID}/messages/${MESSAGE_ID}/abort`)
    expect(stdout.text()).toBe('one two \n')
  })

  it('a second stop() cuts the connection without waiting for the API', async () => {
    standIn = await startStandIn({events: answerEvents(WORDS), delayMs: 50})
    const answer = await conversation(standIn.url, SESSION_ID).ask('hi')
    const types: string[] = []
    const outcome = await playAnswer(answer, {
      async event(e) {
        types.push(e.type)
        if (e.type === 'message.start') {
          answer.stop()
          answer.stop()
        }
      },
      close: async () => {},
    })
    expect(outcome).toEqual({kind: 'stopped'})
    expect(types).not.toContain('message.end')
  })

  it('an error event is a failed answer with the exit code for its code', async () => {
    const events = answerEvents(WORDS).slice(0, 3)
    events.push({type: 'error', code: 'provider_rate_limited', message: 'The provider is rate limiting this key.'})
    standIn = await startStandIn({events})
    const outcome = await playAnswer(await conversation(standIn.url, SESSION_ID).ask('hi'), new TextView(sink().out))
    expect(outcome.kind).toBe('failed')
    const error = (outcome as {error: AnswerFailed}).error
    expect(error).toBeInstanceOf(AnswerFailed)
    expect(error.exitCode).toBe(6)
    expect(error.message).toBe('The provider is rate limiting this key.')
    expect(error.hint).toBeTruthy()
  })
})

describe('exit codes of a failed answer', () => {
  it('follow the table', () => {
    const expected: Record<StreamErrorCode, number> = {
      provider_auth: 4,
      provider_rate_limited: 6,
      instance_deleted: 3,
      provider_unavailable: 7,
      provider_connection: 7,
      // Issue 16 item 3: the egress policy refused the host; not a bad key (4).
      egress_refused: 7,
      instance_unavailable: 7,
      aborted: 130,
      provider_bad_stream: 1,
      // Issue 16 item 9: no key stored for that provider is "not found", not "unexpected".
      no_key: 3,
      internal: 1,
    }
    for (const [code, exit] of Object.entries(expected)) expect(exitCodeForStreamError(code as StreamErrorCode), code).toBe(exit)
  })
})

describe('which chat', () => {
  const io = (stdin: Readable & {isTTY?: boolean}, canPrompt = false): IOStreams => ({
    stdin,
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    canPrompt,
    colorStdout: false,
    interactiveStderr: false,
    env: {},
  })
  const tty = () => Object.assign(new PassThrough(), {isTTY: true})
  const usage = async (p: Promise<unknown>) => {
    const error = await p.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).exitCode).toBe(2)
    return error as CliError
  }

  it('-m wins, and piped stdin is the message without its trailing newline', async () => {
    expect(await chooseChatMode(io(Readable.from(['ignored'])), {message: 'hi', json: false})).toEqual({kind: 'once', message: 'hi'})
    expect(await chooseChatMode(io(Readable.from(['line one\n', 'line two\n'])), {json: true})).toEqual({kind: 'once', message: 'line one\nline two'})
  })
  it('empty stdin or an empty -m is a usage error that says how', async () => {
    expect((await usage(chooseChatMode(io(Readable.from([])), {json: false}))).hint).toMatch(/-m/)
    await usage(chooseChatMode(io(Readable.from([' \n'])), {json: false}))
    await usage(chooseChatMode(io(Readable.from([])), {message: '  ', json: false}))
  })
  it('a REPL only with a person at a terminal, and never with --json', async () => {
    expect(await chooseChatMode(io(tty(), true), {json: false})).toEqual({kind: 'repl'})
    await usage(chooseChatMode(io(tty(), false), {json: false}))
    await usage(chooseChatMode(io(tty(), true), {json: true}))
  })
  it('a message over the limit is refused before it is sent', async () => {
    await usage(chooseChatMode(io(Readable.from([])), {message: 'x'.repeat(100_001), json: false}))
  })
})
