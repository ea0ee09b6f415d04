/**
 * The one text/event-stream frame writer. Data goes out as one `data:` line per line, so it cannot
 * end the frame or add a field (a reader gets CR and CRLF back as "\n"). An id or event name with a
 * line break (or an id with NUL, which readers ignore) is our bug: it throws.
 */

export const EVENT_STREAM = 'text/event-stream'
export const EVENT_STREAM_CONTENT_TYPE = `${EVENT_STREAM}; charset=utf-8`

/** Whether a Content-Type header is an event stream's. */
export function isEventStream(contentType: string | undefined): boolean {
  return (contentType ?? '').startsWith(EVENT_STREAM)
}

export interface SseFrame {
  id?: string | number
  /** The event type; absent means 'message'. */
  event?: string
  data: string
}

const LINE_BREAK = /\r\n|\r|\n/

export function sseFrame(frame: SseFrame): string {
  let out = ''
  if (frame.id !== undefined) out += `id: ${checked('id', String(frame.id), /[\r\n\0]/)}\n`
  if (frame.event !== undefined) out += `event: ${checked('event', frame.event, /[\r\n]/)}\n`
  if (!/[\r\n]/.test(frame.data)) return `${out}data: ${frame.data}\n\n`
  for (const line of frame.data.split(LINE_BREAK)) out += `data: ${line}\n`
  return out + '\n'
}

function checked(field: string, value: string, forbidden: RegExp): string {
  if (forbidden.test(value)) throw new Error(`an event-stream ${field} cannot hold a line break${field === 'id' ? ' or NUL' : ''}`)
  return value
}
