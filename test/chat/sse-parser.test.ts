import {describe, expect, it} from 'vitest'
import {type SseEvent, SseLineTooLongError as SseLineTooLong, SseParser} from '../../src/sse/parser.js'

/** As the CLI reads: the event type, data and the id the event itself carried. */
const asMessage = ({type, data, id}: SseEvent) => ({type, data, id})

/** The CLI's view of the shared parser: a connection's chunks in, its complete events out. */
class EventStreamParser {
  private readonly parser: SseParser
  constructor(maxLineLength?: number) {
    this.parser = new SseParser({maxLineLength})
  }
  get lastEventId() {
    return this.parser.lastEventId
  }
  feed(chunk: string) {
    return this.parser.push(chunk).map(asMessage)
  }
  reset() {
    this.parser.reset()
  }
}

function parseAll(chunks: string[]) {
  const parser = new EventStreamParser()
  const events = chunks.flatMap((c) => parser.feed(c))
  return {events, lastEventId: parser.lastEventId}
}

const STREAM = 'id: 1\nevent: session\ndata: {"a":1}\n\n: keep-alive\n\nid: 2\nevent: text.delta\ndata: line one\ndata: line two\n\n'

describe('event-stream parser', () => {
  it('reads fields, joins data lines, skips comments, and knows each event’s own id', () => {
    const {events, lastEventId} = parseAll([STREAM + 'event: error\ndata: {"no":"id"}\n\n'])
    expect(events).toEqual([
      {type: 'session', data: '{"a":1}', id: '1'},
      {type: 'text.delta', data: 'line one\nline two', id: '2'},
      {type: 'error', data: '{"no":"id"}', id: undefined},
    ])
    // An event without its own id does not move the last event id.
    expect(lastEventId).toBe('2')
  })

  it('gives the same events for LF, CRLF and CR line ends, split at every point', () => {
    const expected = parseAll([STREAM]).events
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = STREAM.replaceAll('\n', eol)
      for (let cut = 0; cut <= text.length; cut++) {
        expect(parseAll([text.slice(0, cut), text.slice(cut)]).events, `${JSON.stringify(eol)} cut at ${cut}`).toEqual(expected)
      }
      expect(parseAll([...text]).events).toEqual(expected)
    }
  })

  it('accepts fields without a space, a BOM, a missing event type, and ignores retry and unknown fields', () => {
    const {events} = parseAll(['\ufeffid:7\ndata:{}\nretry: 10\nfoo: bar\n\n'])
    expect(events).toEqual([{type: 'message', data: '{}', id: '7'}])
  })

  it('never delivers an event cut before its closing blank line', () => {
    const parser = new EventStreamParser()
    expect(parser.feed('id: 1\ndata: {"whole":true}\n\nid: 2\ndata: {"half":')).toHaveLength(1)
    expect(parser.lastEventId).toBe('1')
    parser.reset()
    // Whatever was half read is gone; the next connection starts clean.
    expect(parser.feed('id: 2\ndata: {"half":false}\n\n')).toEqual([{type: 'message', data: '{"half":false}', id: '2'}])
  })

  it('an id with no data still counts as the last event id', () => {
    expect(parseAll(['id: 5\n\n']).lastEventId).toBe('5')
    expect(parseAll(['id: 5\n\n']).events).toEqual([])
  })

  it('refuses a line longer than its limit, even one that never ends', () => {
    const parser = new EventStreamParser(64)
    expect(() => parser.feed('data: ' + 'x'.repeat(100))).toThrow(SseLineTooLong)
    expect(() => new EventStreamParser(64).feed('data: ' + 'x'.repeat(100) + '\n')).toThrow(SseLineTooLong)
  })
})
