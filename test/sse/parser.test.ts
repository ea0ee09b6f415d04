import {describe, expect, it} from 'vitest'
import {sseFrame} from '../../src/sse/frame.js'
import {type SseEvent, SseLineTooLongError, SseParser} from '../../src/sse/parser.js'
import {readEvents} from '../../src/sse/read.js'

/** Every event of `chunks` read as one stream, as the spec reads it (a cut event is dropped). */
function parse(chunks: string[], parser = new SseParser()): SseEvent[] {
  const out = chunks.flatMap((c) => parser.push(c))
  parser.reset()
  return out
}

const STREAM =
  '\ufeff: hello\nretry: 2500\nid: 1\nevent: session\ndata: {"a":1}\n\n' +
  ': keep-alive\n\n' +
  'data: line one\ndata:line two\ndata\ndata:  spaced\n\n' +
  'id: 2\nevent: text.delta\ndata: x\n\n' +
  'event: error\ndata: {"no":"id"}\n\n'

const EXPECTED: SseEvent[] = [
  {type: 'session', data: '{"a":1}', id: '1', lastEventId: '1'},
  {type: 'message', data: 'line one\nline two\n\n spaced', id: undefined, lastEventId: '1'},
  {type: 'text.delta', data: 'x', id: '2', lastEventId: '2'},
  {type: 'error', data: '{"no":"id"}', id: undefined, lastEventId: '2'},
]

describe('SseParser (WHATWG event-stream rules)', () => {
  it('reads fields, comments, a BOM, joined data lines, own and last ids', () => {
    const parser = new SseParser()
    expect(parse([STREAM], parser)).toEqual(EXPECTED)
    expect(parser.lastEventId).toBe('2')
    expect(parser.retry).toBe(2500)
  })

  it('gives the same events for LF, CRLF and CR, split into two at every point, or fed one character at a time', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = STREAM.replaceAll('\n', eol)
      for (let cut = 0; cut <= text.length; cut++) {
        expect(parse([text.slice(0, cut), text.slice(cut)]), `${JSON.stringify(eol)} cut at ${cut}`).toEqual(EXPECTED)
      }
      expect(parse([...text])).toEqual(EXPECTED)
    }
  })

  it('gives the same events from bytes split at every byte, multi-byte characters included', async () => {
    const text = STREAM.replaceAll('\n', '\r\n') + 'data: é€𝄞 ünïcode\r\n\r\n'
    const bytes = new TextEncoder().encode(text)
    const whole = parse([text])
    expect(whole.at(-1)!.data).toBe('é€𝄞 ünïcode')
    for (let cut = 0; cut <= bytes.length; cut++) {
      const events: SseEvent[] = []
      for await (const e of readEvents(chunks(bytes.subarray(0, cut), bytes.subarray(cut)))) events.push(e)
      expect(events, `cut at byte ${cut}`).toEqual(whole)
    }
    const single: SseEvent[] = []
    for await (const e of readEvents(chunks(...Array.from(bytes, (b) => Uint8Array.of(b))))) single.push(e)
    expect(single).toEqual(whole)
  })

  it('does not see a blank line in a CRLF split between two reads, but does in CR then CR', () => {
    expect(parse(['data: a\r', '\ndata: b\r\n\r\n']).map((e) => e.data)).toEqual(['a\nb'])
    expect(parse(['data: a\r', '\rdata: b\r\r']).map((e) => e.data)).toEqual(['a', 'b'])
    expect(parse(['data: a\r', '', '\n', 'data: b\n\n']).map((e) => e.data)).toEqual(['a\nb'])
  })

  it('drops only a BOM at the very start, and only one', () => {
    expect(parse(['', '\ufeffdata: x\n\n']).map((e) => e.data)).toEqual(['x'])
    // A second BOM is part of the first line's field name, which is then unknown.
    expect(parse(['\ufeff\ufeffdata: x\n\ndata: y\n\n']).map((e) => e.data)).toEqual(['y'])
    expect(parse(['data: a\n\n', '\ufeffdata: b\n\n']).map((e) => e.data)).toEqual(['a'])
  })

  it('ignores an id with NUL, keeps an empty id, and counts an id of an event without data', () => {
    const parser = new SseParser()
    expect(parse(['id: 3\ndata: a\n\nid: 4\u0000x\ndata: b\n\n'], parser).map((e) => [e.id, e.lastEventId])).toEqual([
      ['3', '3'],
      [undefined, '3'],
    ])
    expect(parse(['id: 5\ndata: a\n\nid\ndata: b\n\n']).map((e) => [e.id, e.lastEventId])).toEqual([
      ['5', '5'],
      ['', ''],
    ])
    const bare = new SseParser()
    expect(bare.push('id: 9\n\n')).toEqual([])
    expect(bare.lastEventId).toBe('9')
  })

  it('takes retry only when it is all digits', () => {
    const parser = new SseParser()
    parser.push('retry: 100\n\nretry: 1e3\n\nretry: -5\n\nretry:  7\n\n')
    expect(parser.retry).toBe(100)
  })

  it('reset drops a cut event and its id; end delivers it (the tolerant provider reading)', () => {
    const cut = new SseParser()
    expect(cut.push('id: 1\ndata: whole\n\nid: 2\ndata: half')).toHaveLength(1)
    cut.reset()
    expect(cut.lastEventId).toBe('1')
    expect(cut.push('data: next\n\n')).toEqual([{type: 'message', data: 'next', id: undefined, lastEventId: undefined}])

    const tolerant = new SseParser()
    tolerant.push('id: 1\ndata: whole\n\nevent: last\ndata: half')
    expect(tolerant.end()).toEqual([{type: 'last', data: 'half', id: undefined, lastEventId: '1'}])
    expect(tolerant.end()).toEqual([])
  })

  it('bounds a line, complete or still arriving, whatever its line end', () => {
    for (const eol of ['\n', '\r', '\r\n']) expect(() => new SseParser({maxLineLength: 8}).push(`data: 123456789${eol}`)).toThrow(SseLineTooLongError)
    const parser = new SseParser({maxLineLength: 8})
    parser.push('data')
    expect(() => parser.push(': 12345')).toThrow(SseLineTooLongError)
    expect(new SseParser({maxLineLength: 8}).push('data: 12\n\n')).toHaveLength(1)
  })

  it('reads back every frame the writer makes, whatever the data holds', () => {
    const nasty = ['', 'plain', 'two\nlines', 'cr\ronly', 'crlf\r\nend', '\n\nid: 999\nevent: message.end\ndata: forged\n\n', ': comment?', ' leading space', 'trailing\n', 'nul\u0000 and \u2028']
    const parser = new SseParser()
    for (const [i, data] of nasty.entries()) {
      const events = parser.push(sseFrame({id: i, event: 'text.delta', data}))
      expect(events).toEqual([{type: 'text.delta', data: data.replace(/\r\n?/g, '\n'), id: String(i), lastEventId: String(i)}])
    }
  })
})

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part
}
