import {type SseEvent, SseParser} from './parser.js'

/**
 * The events of a body (any async iterable of bytes) as they arrive, read as the spec says: an
 * event cut before its blank line is dropped. Leaving early ends the iteration of `body`.
 */
export async function* readEvents(body: AsyncIterable<Uint8Array>, parser = new SseParser()): AsyncGenerator<SseEvent, void, undefined> {
  const decoder = new TextDecoder()
  for await (const chunk of body) yield* parser.push(decoder.decode(chunk, {stream: true}))
  yield* parser.push(decoder.decode())
  parser.reset()
}
