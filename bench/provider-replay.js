// A local stand-in for the Anthropic Messages API that replays a recorded stream (the same
// fixtures the tests use) or a long synthetic one. Loopback only.
import {readFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {join} from 'node:path'
import {root} from '../scripts/harness.js'

export function fixture(name) {
  return readFileSync(join(root, 'test', 'fixtures', 'providers', `${name}.sse`), 'utf8')
}

/** Serves `stream()` (an SSE text) to every POST, pausing `eventDelayMs` between events. */
export async function startReplay({stream, eventDelayMs = 0}) {
  const server = createServer(async (req, res) => {
    for await (const _ of req);
    res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'})
    const events = stream().split(/\n\n/).filter(Boolean)
    if (eventDelayMs === 0) {
      res.end(events.map((e) => e + '\n\n').join(''))
      return
    }
    for (const e of events) {
      if (res.destroyed) return
      res.write(e + '\n\n')
      await new Promise((r) => setTimeout(r, eventDelayMs))
    }
    res.end()
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return {url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r))}
}
