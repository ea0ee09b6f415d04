import {describe, expect, it} from 'vitest'
import {SseLineTooLongError, SseParser, type SseEvent} from '../../src/sse/parser.js'
import {readFixture} from '../helpers/provider-server.js'

/** As the providers read: the event type, data and the stream's last id so far. */
type ProviderEvent = {event: string; data: string; id: string | undefined}
const asProviderEvent = (e: SseEvent): ProviderEvent => ({event: e.type, data: e.data, id: e.lastEventId})

function parseAll(chunks: string[], maxLineLength?: number): ProviderEvent[] {
  const parser = new SseParser({maxLineLength})
  const events: SseEvent[] = []
  for (const c of chunks) events.push(...parser.push(c))
  events.push(...parser.end())
  return events.map(asProviderEvent)
}

const sample = 'event: greet\ndata: hello\n\n: a comment\ndata: line one\ndata: line two\n\nid: 7\ndata: {"x":1}\n\n'

describe('SseParser', () => {
  it('parses event names, data and ids', () => {
    expect(parseAll([sample])).toEqual([
      {event: 'greet', data: 'hello', id: undefined},
      {event: 'message', data: 'line one\nline two', id: undefined},
      {event: 'message', data: '{"x":1}', id: '7'},
    ])
  })

  it('treats CRLF, LF and CR line endings alike', () => {
    const lf = parseAll([sample])
    expect(parseAll([sample.replace(/\n/g, '\r\n')])).toEqual(lf)
    expect(parseAll([sample.replace(/\n/g, '\r')])).toEqual(lf)
  })

  it('gives the same events however the stream is split across reads', () => {
    const whole = parseAll([sample.replace(/\n/g, '\r\n')])
    const text = sample.replace(/\n/g, '\r\n')
    for (let size = 1; size <= 7; size++) {
      const pieces: string[] = []
      for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size))
      expect(parseAll(pieces)).toEqual(whole)
    }
  })

  it('does not see a blank line in a CRLF split between two reads', () => {
    expect(parseAll(['data: a\r', '\ndata: b\r\n\r\n'])).toEqual([{event: 'message', data: 'a\nb', id: undefined}])
  })

  it('parses a real fixture read one character at a time exactly as read whole', () => {
    const text = readFixture('anthropic/cached-unicode')
    const whole = parseAll([text])
    expect(whole.length).toBe(text.split('\n\n').filter(Boolean).length)
    expect(parseAll([...text])).toEqual(whole)
  })

  it('ignores comments, unknown fields and retry, and events without data', () => {
    const events = parseAll([': keep-alive\n\nretry: 100\nfoo: bar\n\nevent: only-a-name\n\ndata: x\n\n'])
    expect(events).toEqual([{event: 'message', data: 'x', id: undefined}])
  })

  it('strips exactly one space after the colon and accepts a field without a colon', () => {
    expect(parseAll(['data:  two spaces\n\ndata:none\n\ndata\n\n']).map(e => e.data)).toEqual([' two spaces', 'none', ''])
  })

  it('resets the event name after each event but keeps the last id', () => {
    const events = parseAll(['event: a\nid: 1\ndata: x\n\ndata: y\n\n'])
    expect(events.map(e => [e.event, e.id])).toEqual([
      ['a', '1'],
      ['message', '1'],
    ])
  })

  it('drops a leading byte-order mark', () => {
    expect(parseAll(['\uFEFFdata: x\n\n'])).toEqual([{event: 'message', data: 'x', id: undefined}])
  })

  it('delivers a last event that lacks its closing blank line at end of stream', () => {
    expect(parseAll(['data: a\n\ndata: b'])).toEqual([
      {event: 'message', data: 'a', id: undefined},
      {event: 'message', data: 'b', id: undefined},
    ])
  })

  it('throws on a line longer than the bound, whether complete or still arriving', () => {
    expect(() => parseAll([`data: ${'x'.repeat(100)}\n\n`], 50)).toThrow(SseLineTooLongError)
    const parser = new SseParser({maxLineLength: 50})
    parser.push('data: ')
    expect(() => {
      for (let i = 0; i < 10; i++) parser.push('x'.repeat(10))
    }).toThrow(SseLineTooLongError)
  })
})
