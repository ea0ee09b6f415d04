import {type SseEvent, SseParser} from './parser.js'

/**
 * The events of a byte stream as they arrive (a fetch or undici body: any async iterable of
 * bytes), read as the spec says: an event cut before its closing blank line is dropped. A line
 * longer than the parser's bound throws SseLineTooLongError. Leaving early ends the iteration of
 * `body` (a fetch body is cancelled unless it is passed as `body.values({preventCancel: true})`).
 */
export async function* readEvents(body: AsyncIterable<Uint8Array>, parser = new SseParser()): AsyncGenerator<SseEvent, void, undefined> {
  const decoder = new TextDecoder()
  for await (const chunk of body) yield* parser.push(decoder.decode(chunk, {stream: true}))
  yield* parser.push(decoder.decode())
  parser.reset()
}
