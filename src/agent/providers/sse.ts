/**
 * A streaming parser for the WHATWG EventSource wire format (text/event-stream): lines end in
 * CRLF, LF or CR (a CRLF may be split across two reads); `data` lines join with "\n"; lines that
 * start with ":" are comments (keep-alives); a blank line dispatches the event. It is tolerant
 * where servers are sloppy: a last event without its closing blank line is still delivered at end
 * of stream. It is strict about memory: a line longer than `maxLineLength` throws.
 */

export interface SseEvent {
  /** `event:` field, or 'message' when absent. */
  event: string
  data: string
  /** Last `id:` seen so far in the stream, if any. */
  id: string | undefined
}

export class SseLineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`an event-stream line is longer than ${limit} characters`)
    this.name = 'SseLineTooLongError'
  }
}

export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024

export class SseParser {
  private partial = ''
  private skipLeadingLF = false
  private atStart = true
  private dataLines: string[] = []
  private eventType = ''
  private lastId: string | undefined
  private readonly maxLineLength: number

  constructor(opts: {maxLineLength?: number} = {}) {
    this.maxLineLength = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH
  }

  /** Feeds decoded text; returns the events completed by it. */
  push(chunk: string): SseEvent[] {
    const events: SseEvent[] = []
    let text = chunk
    if (this.atStart && text.length > 0) {
      this.atStart = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    let i = 0
    if (this.skipLeadingLF && text.length > 0) {
      if (text.charCodeAt(0) === 10) i = 1
      this.skipLeadingLF = false
    }
    const len = text.length
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
      if (text.charCodeAt(end) === 13) {
        if (end + 1 < len) i = text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1
        else {
          this.skipLeadingLF = true
          i = end + 1
        }
      } else i = end + 1
      this.processLine(line, events)
    }
    if (i < len) {
      this.partial += text.slice(i)
      if (this.partial.length > this.maxLineLength) throw new SseLineTooLongError(this.maxLineLength)
    }
    return events
  }

  /** Ends the stream: completes a last unterminated line and event. */
  end(): SseEvent[] {
    const events: SseEvent[] = []
    if (this.partial.length > 0) {
      const line = this.partial
      this.partial = ''
      this.processLine(line, events)
    }
    this.dispatch(events)
    return events
  }

  private processLine(line: string, events: SseEvent[]): void {
    if (line.length === 0) {
      this.dispatch(events)
      return
    }
    if (line.charCodeAt(0) === 58) return // ":" comment
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === 32) value = value.slice(1)
    switch (field) {
      case 'data':
        this.dataLines.push(value)
        break
      case 'event':
        this.eventType = value
        break
      case 'id':
        if (!value.includes('\0')) this.lastId = value
        break
      default:
      // `retry` and unknown fields are ignored: we never reconnect a provider stream.
    }
  }

  private dispatch(events: SseEvent[]): void {
    if (this.dataLines.length > 0) {
      const data = this.dataLines.length === 1 ? this.dataLines[0]! : this.dataLines.join('\n')
      events.push({event: this.eventType || 'message', data, id: this.lastId})
    }
    this.dataLines = []
    this.eventType = ''
  }
}
