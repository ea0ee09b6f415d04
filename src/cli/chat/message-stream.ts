import {setTimeout as delay} from 'node:timers/promises'
import {type StreamEvent, streamEventSchema} from '../../contract/stream.js'
import type {Api} from '../kit/http/api.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import {unexpectedShape} from '../kit/http/errors.js'
import {backoffDelay, type RetryPolicy} from '../kit/http/retry.js'
import type {HttpStream} from '../kit/http/transport.js'
import {type SseEvent, SseLineTooLongError} from '../../sse/parser.js'
import {readEvents} from '../../sse/read.js'

export interface MessageStreamOptions {
  /** The API: the same token, refresh and problem mapping as every other request. */
  api: Api
  /** Where it is, for errors. */
  apiUrl: string
  /** Reconnects after a drop: `maxAttempts` tries in a row without a new event, with backoff. */
  reconnect?: RetryPolicy
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
  /** Waiting for the answer's headers may include resuming a paused instance. */
  headersTimeoutMs?: number
  /** Silence longer than this counts as a dropped connection (and is resumed). */
  idleTimeoutMs?: number
  /** Told before each reconnect, e.g. to say so on stderr. */
  onReconnect?: (info: {attempt: number; lastEventId: string | undefined}) => void
}

export interface MessageRequest {
  instance: string
  sessionId: string
  content: string
  model?: string
  /** Ask before each exec, write and edit (the agent waits for the approve route). */
  approve?: boolean
  /** Aborting it stops reading (and connecting) at once; the stream then just ends. */
  signal?: AbortSignal
}

export const defaultReconnectPolicy: RetryPolicy = {maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 3000, maxRetryAfterMs: 0}

const EVENT_TYPES = new Set<string>(streamEventSchema.options.map((o) => o.shape.type.value))

type Outcome = 'ended' | 'dropped'

interface StreamState {
  lastEventId: string | undefined
  /** Highest numeric id delivered: a replay after a reconnect never repeats an event. */
  lastSeq: number
  messageId: string | undefined
  progressed: boolean
  /** Characters of answer text received, and tool calls finished, to say what the person saw. */
  textChars: number
  toolCalls: number
}

/**
 * Sends a message and reads the answer's event stream (DESIGN §5). Each event is checked against
 * the contract. When the connection drops before `message.end` or `error`, it reconnects by
 * itself to the resume route with `Last-Event-ID`, so the caller sees every event exactly once.
 */
export class MessageStreamClient {
  private readonly policy: RetryPolicy
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>

  constructor(private readonly opts: MessageStreamOptions) {
    this.policy = opts.reconnect ?? defaultReconnectPolicy
    this.sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, {signal}))
  }

  async *send(req: MessageRequest): AsyncGenerator<StreamEvent, void, undefined> {
    const state: StreamState = {lastEventId: undefined, lastSeq: 0, messageId: undefined, progressed: false, textChars: 0, toolCalls: 0}
    const {signal} = req
    const body = {content: req.content, ...(req.model ? {model: req.model} : {}), ...(req.approve ? {approve: true} : {})}
    let res: HttpStream
    try {
      res = await this.open(() => this.opts.api.sessions.send({ref: req.instance, sid: req.sessionId, body, signal, ...this.timeouts}))
    } catch (error) {
      if (signal?.aborted) return
      throw error
    }
    let failures = 0
    for (;;) {
      const outcome = yield* this.read(res, state, signal)
      if (outcome === 'ended' || signal?.aborted) return
      if (!state.messageId) {
        throw new CliError({
          code: 'stream_lost',
          message: 'The connection to the clawd API dropped before the answer started.',
          hint: 'Send the message again.',
          exitCode: ExitCode.unavailable,
        })
      }
      if (state.progressed) failures = 0
      const resume = {ref: req.instance, sid: req.sessionId, mid: state.messageId, signal, ...this.timeouts}
      for (;;) {
        failures++
        if (failures > this.policy.maxAttempts) throw this.gaveUp(state, req.sessionId)
        try {
          await this.sleep(backoffDelay(failures, this.policy, this.opts.random), signal)
          this.opts.onReconnect?.({attempt: failures, lastEventId: state.lastEventId})
          res = await this.open(() => this.opts.api.sessions.resume({...resume, lastEventId: state.lastEventId}))
          break
        } catch (error) {
          if (signal?.aborted) return
          if (error instanceof CliError && isTransient(error)) continue
          throw error
        }
      }
    }
  }

  /**
   * Says what the person got and what the instance kept: the agent saves an answer as it streams
   * (about once a second), so the session has the answer up to its last save, marked interrupted
   * when the agent itself was stopped, or the whole answer if it went on without us.
   */
  private gaveUp(state: StreamState, sessionId: string): CliError {
    const got = `${state.textChars} character${state.textChars === 1 ? '' : 's'} of the answer${state.toolCalls ? ` and ${state.toolCalls} tool call${state.toolCalls === 1 ? '' : 's'}` : ''}`
    return new CliError({
      code: 'stream_lost',
      message: `The connection to the clawd API dropped after ${got} and could not be resumed after ${this.policy.maxAttempts} tries.`,
      hint:
        `The session keeps the answer as far as the instance had saved it (it saves while it streams, about once a second; ` +
        `a cut-off answer is marked interrupted): see it with \`clawd sessions show ${sessionId}\`.`,
      exitCode: ExitCode.unavailable,
    })
  }

  /** Yields the new events of one connection; says whether the answer ended or the line dropped. */
  private async *read(res: HttpStream, state: StreamState, signal: AbortSignal | undefined): AsyncGenerator<StreamEvent, Outcome, undefined> {
    state.progressed = false
    try {
      // An event cut before its blank line is dropped: it comes again on the resumed stream.
      for await (const message of readEvents(res.body)) {
        const event = this.accept(message, state)
        if (!event) continue
        yield event
        if (event.type === 'message.end' || event.type === 'error') return 'ended'
      }
    } catch (error) {
      if (signal?.aborted) return 'ended'
      if (error instanceof CliError) throw error
      if (error instanceof SseLineTooLongError) throw this.badStream()
      // Reset, idle timeout, "other side closed": resumable.
      return 'dropped'
    } finally {
      if (!res.body.destroyed) res.body.destroy()
    }
    return 'dropped'
  }

  /** The contract event in a message, or undefined for one already seen or of a newer kind. */
  private accept(message: SseEvent, state: StreamState): StreamEvent | undefined {
    const seq = message.id !== undefined && /^\d+$/.test(message.id) ? Number(message.id) : undefined
    if (seq !== undefined && seq <= state.lastSeq) return undefined
    let data: unknown
    try {
      data = JSON.parse(message.data)
    } catch {
      throw this.badStream()
    }
    const parsed = streamEventSchema.safeParse(data)
    const known = parsed.success
    if (!known && !isNewerKind(data)) throw this.badStream()
    if (seq !== undefined) state.lastSeq = seq
    if (message.id !== undefined) state.lastEventId = message.id
    if (!known) return undefined
    // The object as sent (it passed the contract), so --json passes on what a newer server adds.
    const event = data as StreamEvent
    if (event.type === 'message.start') state.messageId = event.message_id
    if (event.type === 'text.delta') state.textChars += event.text.length
    if (event.type === 'tool.end') state.toolCalls++
    state.progressed = true
    return event
  }

  private badStream(): CliError {
    return unexpectedShape(this.opts.apiUrl, 'a message stream')
  }

  private get timeouts() {
    return {headersTimeoutMs: this.opts.headersTimeoutMs ?? 120_000, idleTimeoutMs: this.opts.idleTimeoutMs ?? 120_000}
  }

  /** One request through the API, which owns the token, its refresh and the problem mapping. */
  private open(request: () => Promise<HttpStream>): Promise<HttpStream> {
    return request().catch((error: unknown) => Promise.reject(error instanceof CliError ? withResetTime(error) : error))
  }
}

/** Worth another try: the API or a proxy was away or busy, not a refusal. */
function isTransient(error: CliError): boolean {
  return error.code === 'unreachable' || error.code === 'rate_limited' || error.exitCode === ExitCode.unavailable
}

function isNewerKind(data: unknown): boolean {
  const type = (data as {type?: unknown} | null)?.type
  return typeof type === 'string' && !EVENT_TYPES.has(type)
}

/** A spent quota says when it resets (as "2026-03-02 00:00 UTC"), unless the server's hint already does. */
function withResetTime(error: CliError): CliError {
  if (error.exitCode !== ExitCode.quota || !error.retryAt || Number.isNaN(Date.parse(error.retryAt)) || /reset/i.test(error.hint ?? '')) return error
  const resetsAt = new Date(error.retryAt).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
  return new CliError({code: error.code, message: `${error.message} The limit resets at ${resetsAt}.`, hint: error.hint, exitCode: error.exitCode})
}
