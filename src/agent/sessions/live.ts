import type {StreamEvent} from '../../contract/stream.js'
import {PendingApprovals} from './approvals.js'
import type {SentEvent} from './store.js'

type Listener = (sent: SentEvent | 'end') => void

/**
 * One answer being generated. Events are numbered and kept, so any number of readers can attach
 * (the first POST, then resumes with Last-Event-ID) and each gets every event after the id it
 * names, exactly once. The generation runs on its own: when the last reader goes away it waits
 * `graceMs` for a resume before aborting the provider call, so a dropped connection costs no
 * tokens for nobody yet a quick reconnect loses nothing.
 */
export class LiveAnswer {
  readonly events: SentEvent[] = []
  readonly abort = new AbortController()
  readonly approvals = new PendingApprovals()
  private readonly listeners = new Set<Listener>()
  private graceTimer: NodeJS.Timeout | undefined
  done = false

  constructor(
    readonly sessionId: string,
    readonly messageId: string,
    private readonly graceMs: number,
  ) {}

  emit(event: StreamEvent): SentEvent {
    const sent = {id: this.events.length + 1, event}
    this.events.push(sent)
    for (const l of this.listeners) l(sent)
    return sent
  }

  finish(): void {
    this.done = true
    clearTimeout(this.graceTimer)
    for (const l of this.listeners) l('end')
    this.listeners.clear()
  }

  /** Replays events after `afterId`, then follows live ones; the returned function detaches. */
  attach(afterId: number, listener: Listener): () => void {
    clearTimeout(this.graceTimer)
    this.graceTimer = undefined
    for (const sent of this.events) if (sent.id > afterId) listener(sent)
    if (this.done) {
      listener('end')
      return () => {}
    }
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0 && !this.done) {
        this.graceTimer = setTimeout(() => this.abort.abort(new Error('no reader')), this.graceMs)
        this.graceTimer.unref()
      }
    }
  }
}

/** The answers in progress in this agent, by message id. */
export class LiveAnswers {
  private readonly byMessage = new Map<string, LiveAnswer>()
  private readonly bySession = new Map<string, LiveAnswer>()

  start(sessionId: string, messageId: string, graceMs: number): LiveAnswer | undefined {
    if (this.bySession.has(sessionId)) return undefined
    const live = new LiveAnswer(sessionId, messageId, graceMs)
    this.byMessage.set(messageId, live)
    this.bySession.set(sessionId, live)
    return live
  }

  get(messageId: string): LiveAnswer | undefined {
    return this.byMessage.get(messageId)
  }

  forSession(sessionId: string): LiveAnswer | undefined {
    return this.bySession.get(sessionId)
  }

  end(live: LiveAnswer): void {
    this.byMessage.delete(live.messageId)
    this.bySession.delete(live.sessionId)
  }

  abortAll(): void {
    for (const live of this.byMessage.values()) live.abort.abort(new Error('agent stopping'))
  }
}
