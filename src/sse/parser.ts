/**
 * The one text/event-stream reader (WHATWG HTML §9.2.6), for the CLI, the agent's providers, the
 * console, tests and bench; dependency-free, so the agent stays lean. As the spec says: CRLF, LF or
 * CR end a line (a CRLF split across reads too); a leading BOM is dropped; ":" starts a comment;
 * one space after the colon is dropped; `data` lines join with "\n"; an `id` with NUL is ignored;
 * `retry` counts only when all digits; a blank line dispatches, unless there was no data.
 * Beyond the spec, a line longer than `maxLineLength` throws: a peer cannot make us buffer forever.
 */

export interface SseEvent {
  /** The `event:` field, or 'message'. */
  type: string
  data: string
  /** The `id:` this event itself carried: a resuming reader skips replays by it (the gateway's error has none). */
  id: string | undefined
  /** The spec's last event ID at this event: the latest `id:` of the stream so far, if any. */
  lastEventId: string | undefined
}

export class SseLineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`an event-stream line is longer than ${limit} characters`)
    this.name = 'SseLineTooLongError'
  }
}

export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32
const BOM = 0xfeff

export class SseParser {
  private readonly maxLineLength: number
  private partial = ''
  /** The previous chunk ended in CR: a LF at the start of the next one belongs to it. */
  private afterCR = false
  private atStart = true
  private dataLines: string[] = []
  private eventType = ''
  /** The id field of the event being read (reset at each dispatch). */
  private ownId: string | undefined
  /** The spec's "last event ID buffer" of this stream. */
  private idBuffer: string | undefined
  private dispatchedId: string | undefined
  private reconnectMs: number | undefined

  constructor(opts: {maxLineLength?: number} = {}) {
    this.maxLineLength = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH
  }

  /** The last event ID as of the last dispatch: what a reconnect sends as Last-Event-ID. */
  get lastEventId(): string | undefined {
    return this.dispatchedId
  }

  /** The reconnection time the server asked for with `retry:`, in ms, if it did. */
  get retry(): number | undefined {
    return this.reconnectMs
  }

  /** Feeds decoded text; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    const events: SseEvent[] = []
    if (chunk.length === 0) return events
    let text = chunk
    if (this.atStart) {
      this.atStart = false
      if (text.charCodeAt(0) === BOM) text = text.slice(1)
    }
    let i = 0
    if (this.afterCR) {
      this.afterCR = false
      if (text.charCodeAt(0) === LF) i = 1
    }
    const len = text.length
    // Both searches are kept between lines: text without any CR (or LF) is scanned once.
    let nextLF = text.indexOf('\n', i)
    let nextCR = text.indexOf('\r', i)
    while (i < len) {
      if (nextLF !== -1 && nextLF < i) nextLF = text.indexOf('\n', i)
      if (nextCR !== -1 && nextCR < i) nextCR = text.indexOf('\r', i)
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR)
      if (end === -1) break
      const piece = text.slice(i, end)
      const line = this.partial.length > 0 ? this.partial + piece : piece
      this.partial = ''
      if (line.length > this.maxLineLength) throw new SseLineTooLongError(this.maxLineLength)
      if (text.charCodeAt(end) === CR) {
        if (end + 1 === len) this.afterCR = true
        i = end + 1 < len && text.charCodeAt(end + 1) === LF ? end + 2 : end + 1
      } else i = end + 1
      this.line(line, events)
    }
    if (i < len) {
      this.partial += text.slice(i)
      if (this.partial.length > this.maxLineLength) throw new SseLineTooLongError(this.maxLineLength)
    }
    return events
  }

  /** The stream ended, read tolerantly (providers): an unterminated last event is still delivered. */
  end(): SseEvent[] {
    const events: SseEvent[] = []
    if (this.partial.length > 0) {
      const line = this.partial
      this.partial = ''
      this.line(line, events)
    }
    this.dispatch(events)
    this.reset()
    return events
  }

  /**
   * The stream ended or was cut, read as the spec says: an unterminated event is dropped, so a
   * resuming reader never sees half of one. `lastEventId` and `retry` stay for the next stream.
   */
  reset(): void {
    this.partial = ''
    this.afterCR = false
    this.atStart = true
    this.dataLines = []
    this.eventType = ''
    this.ownId = undefined
    this.idBuffer = undefined
  }

  private line(line: string, events: SseEvent[]): void {
    if (line.length === 0) return this.dispatch(events)
    if (line.charCodeAt(0) === COLON) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === SPACE) value = value.slice(1)
    switch (field) {
      case 'data':
        this.dataLines.push(value)
        break
      case 'event':
        this.eventType = value
        break
      case 'id':
        if (!value.includes('\0')) this.ownId = this.idBuffer = value
        break
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.reconnectMs = Number(value)
        break
    }
  }

  private dispatch(events: SseEvent[]): void {
    this.dispatchedId = this.idBuffer
    const {dataLines, eventType, ownId} = this
    this.dataLines = []
    this.eventType = ''
    this.ownId = undefined
    if (dataLines.length === 0) return
    const data = dataLines.length === 1 ? dataLines[0]! : dataLines.join('\n')
    events.push({type: eventType || 'message', data, id: ownId, lastEventId: this.idBuffer})
  }
}
