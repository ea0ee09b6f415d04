import {approveToolRequestSchema, createSessionRequestSchema} from '../../contract/sessions.js'
import type {StreamEvent} from '../../contract/stream.js'
import type {Api} from '../kit/http/api.js'
import type {MessageStreamClient} from './message-stream.js'

export interface ConversationOptions {
  api: Api
  streams: MessageStreamClient
  /** The instance id (resolved once, so a rename mid-chat changes nothing). */
  instance: string
  /** Continue this session; otherwise one is created with the first message. */
  sessionId?: string
  /** provider/model for the next messages; the session's or instance's model when absent. */
  model?: string
  /** How long a stopped answer may take to confirm before the connection is simply cut. */
  stopGraceMs?: number
  /** Ask the agent to wait for approval before each exec, write and edit (only with a person to ask). */
  approveTools?: boolean
}

/**
 * One chat with an instance's agent: which session, which model, and sending a message. A
 * session is created only when the first message goes out, so `/new` followed by `/exit` leaves
 * no empty session behind.
 */
export class Conversation {
  sessionId: string | undefined
  model: string | undefined

  constructor(private readonly opts: ConversationOptions) {
    this.sessionId = opts.sessionId
    this.model = opts.model
  }

  startNew(): void {
    this.sessionId = undefined
  }

  async ensureSession(): Promise<string> {
    if (this.sessionId) return this.sessionId
    const body = createSessionRequestSchema.parse(this.model ? {model: this.model} : {})
    const session = await this.opts.api.sessions.create({ref: this.opts.instance, body})
    this.sessionId = session.id
    return session.id
  }

  /** Sends `content`; the answer's events arrive through the returned Answer. */
  async ask(content: string): Promise<Answer> {
    const sessionId = await this.ensureSession()
    return new Answer(this.opts, sessionId, content, this.model)
  }
}

/**
 * One answer as it streams. `stop()` asks the API to stop it (the session keeps what was said so
 * far) and stops the events at once; if the API does not confirm within the grace time, the
 * connection is simply cut.
 */
export class Answer {
  readonly events: AsyncGenerator<StreamEvent, void, undefined>
  messageId: string | undefined
  private stopRequested = false
  private readonly cut = new AbortController()
  private graceTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly opts: ConversationOptions,
    readonly sessionId: string,
    content: string,
    model: string | undefined,
  ) {
    this.events = this.follow(
      opts.streams.send({instance: opts.instance, sessionId, content, model, approve: opts.approveTools, signal: this.cut.signal}),
    )
  }

  get stopping(): boolean {
    return this.stopRequested
  }

  /** Asks the API to stop the answer; a second call cuts the connection without waiting. */
  stop(): void {
    if (this.stopRequested) return this.cut.abort()
    this.stopRequested = true
    this.graceTimer = setTimeout(() => this.cut.abort(), this.opts.stopGraceMs ?? 3000)
    this.graceTimer.unref()
    if (this.messageId) this.requestAbort(this.messageId)
  }

  /**
   * Tells the agent whether a call that waits for approval may run. A failure is left alone: the
   * agent then skips the call when its wait times out, which is the safe side.
   */
  async approve(toolCallId: string, approve: boolean): Promise<void> {
    if (!this.messageId) return
    const body = approveToolRequestSchema.parse({tool_call_id: toolCallId, approve})
    await this.opts.api.sessions.approve({ref: this.opts.instance, sid: this.sessionId, mid: this.messageId, body}).catch(() => {})
  }

  private async *follow(source: AsyncGenerator<StreamEvent, void, undefined>): AsyncGenerator<StreamEvent, void, undefined> {
    try {
      for await (const event of source) {
        if (event.type === 'message.start') {
          this.messageId = event.message_id
          if (this.stopRequested) this.requestAbort(event.message_id)
        }
        yield event
      }
    } finally {
      clearTimeout(this.graceTimer)
    }
  }

  private requestAbort(messageId: string): void {
    const signal = AbortSignal.timeout(this.opts.stopGraceMs ?? 3000)
    // If this fails the grace timer cuts the connection, which stops the answer too.
    this.opts.api.sessions.abort({ref: this.opts.instance, sid: this.sessionId, mid: messageId, signal}).catch(() => this.cut.abort())
  }
}
