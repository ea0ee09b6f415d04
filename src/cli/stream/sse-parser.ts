/**
 * The text/event-stream format (WHATWG HTML §9.2) as the CLI reads the API's message streams.
 * Tolerant where servers are sloppy (CR, LF or CRLF line ends, split across reads; comments;
 * fields without a space; unknown fields), strict where resuming depends on it: an event counts
 * only when its closing blank line arrived, so a connection cut in the middle of an event never
 * delivers half of it, and the last event id moves only with delivered events.
 */
export interface SseMessage {
  /** The `event:` field, or 'message'. */
  type: string
  data: string
  /** The `id:` this event itself carried, if any (the gateway's own error event has none). */
  id: string | undefined
}

export class SseLineTooLong extends Error {
  constructor(limit: number) {
    super(`an event-stream line is longer than ${limit} characters`)
    this.name = 'SseLineTooLong'
  }
}

const LF = 10
const CR = 13

export class EventStreamParser {
  private carry = ''
  /** The previous chunk ended in CR: a LF at the start of the next one belongs to it. */
  private afterCR = false
  private started = false
  private type = ''
  private data: string[] = []
  private id: string | undefined
  private lastDeliveredId: string | undefined

  constructor(private readonly maxLineChars = 1024 * 1024) {}

  /** The id of the last complete event that carried one: what Last-Event-ID must say. */
  get lastEventId(): string | undefined {
    return this.lastDeliveredId
  }

  /** Feeds decoded text and returns the events it completed. */
  feed(chunk: string): SseMessage[] {
    const out: SseMessage[] = []
    let text = chunk
    if (!this.started && text.length > 0) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    let start = 0
    if (this.afterCR && text.length > 0) {
      this.afterCR = false
      if (text.charCodeAt(0) === LF) start = 1
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c !== LF && c !== CR) continue
      this.line(this.carry + text.slice(start, i), out)
      this.carry = ''
      if (c === CR) {
        if (i + 1 === text.length) this.afterCR = true
        else if (text.charCodeAt(i + 1) === LF) i++
      }
      start = i + 1
    }
    if (start < text.length) {
      this.carry += text.slice(start)
      if (this.carry.length > this.maxLineChars) throw new SseLineTooLong(this.maxLineChars)
    }
    return out
  }

  /** The stream ended: an event without its closing blank line is dropped, as the spec says. */
  reset(): void {
    this.carry = ''
    this.afterCR = false
    this.type = ''
    this.data = []
    this.id = undefined
  }

  private line(line: string, out: SseMessage[]): void {
    if (line.length > this.maxLineChars) throw new SseLineTooLong(this.maxLineChars)
    if (line === '') return this.dispatch(out)
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.type = value
    else if (field === 'id' && !value.includes('\0')) this.id = value
    // `retry` and unknown fields: the reconnect policy is ours, not the server's.
  }

  private dispatch(out: SseMessage[]): void {
    const {type, data, id} = this
    this.type = ''
    this.data = []
    this.id = undefined
    if (id !== undefined) this.lastDeliveredId = id
    if (data.length === 0) return
    out.push({type: type || 'message', data: data.join('\n'), id})
  }
}
