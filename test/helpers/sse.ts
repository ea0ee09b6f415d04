import {SseParser} from '../../src/sse/parser.js'
import {readEvents} from '../../src/sse/read.js'

export interface SseRecord {
  /** The event's own id, as a number (our ids are sequence numbers); undefined when it has none. */
  id: number | undefined
  data: any
}

const record = (e: {id: string | undefined; data: string}): SseRecord => ({id: e.id === undefined ? undefined : Number(e.id), data: JSON.parse(e.data)})

/**
 * Reads an SSE response body into {id, data} records as they arrive (tests only). Leaving early
 * does not cancel the body: the connection stays open until the test aborts or closes it.
 */
export async function* readSse(res: Response): AsyncGenerator<SseRecord> {
  for await (const e of readEvents(res.body!.values({preventCancel: true}))) if (e.data) yield record(e)
}

export async function collectSse(res: Response): Promise<SseRecord[]> {
  const out = []
  for await (const e of readSse(res)) out.push(e)
  return out
}

/** The records of a whole event stream already read as text. */
export function parseSse(text: string): SseRecord[] {
  return new SseParser().push(text).filter((e) => e.data).map(record)
}
