import {describe, expect, it} from 'vitest'
import {isEventStream, sseFrame} from '../../src/sse/frame.js'

describe('sseFrame', () => {
  it('writes id, event and data lines, then a blank line', () => {
    expect(sseFrame({id: 3, event: 'text.delta', data: '{"text":"hi"}'})).toBe('id: 3\nevent: text.delta\ndata: {"text":"hi"}\n\n')
    expect(sseFrame({event: 'error', data: '{}'})).toBe('event: error\ndata: {}\n\n')
    expect(sseFrame({data: '[DONE]'})).toBe('data: [DONE]\n\n')
  })

  it('splits data at every line break, so data cannot end the frame or add a field', () => {
    expect(sseFrame({id: 1, data: 'a\n\nid: 999\r\nevent: message.end\rdata: x'})).toBe('id: 1\ndata: a\ndata: \ndata: id: 999\ndata: event: message.end\ndata: data: x\n\n')
    expect(sseFrame({data: 'end\n'})).toBe('data: end\ndata: \n\n')
  })

  it('refuses an id or event name that would break the frame', () => {
    expect(() => sseFrame({id: '1\n', data: 'x'})).toThrow(/id/)
    expect(() => sseFrame({id: '1\r', data: 'x'})).toThrow(/id/)
    expect(() => sseFrame({id: '1\u0000', data: 'x'})).toThrow(/NUL/)
    expect(() => sseFrame({event: 'a\ndata: forged', data: 'x'})).toThrow(/event/)
  })

  it('knows an event stream by its content type', () => {
    expect(isEventStream('text/event-stream; charset=utf-8')).toBe(true)
    expect(isEventStream('text/event-stream')).toBe(true)
    expect(isEventStream('application/json')).toBe(false)
    expect(isEventStream(undefined)).toBe(false)
  })
})
