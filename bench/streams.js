// Streaming: time to first token through API → instance → provider versus the provider directly,
// events per second through one stream, and many concurrent streams (errors and memory).
import {readEvents} from '../dist/src/sse/read.js'
import {clawd, newAccount, startServer} from '../scripts/harness.js'
import {parents, rssOf} from './proc.js'
import {fixture, startReplay} from './provider-replay.js'
import {now, row} from './stats.js'

/** The parsed data of each event of a response, as it arrives (the shared reader, from dist/). */
export async function* sse(res) {
  for await (const e of readEvents(res.body)) yield JSON.parse(e.data)
}

/** Milliseconds to the first text delta of a direct provider call. */
export async function directTtft(url) {
  const t = now()
  const res = await fetch(url + '/v1/messages', {method: 'POST', headers: {'content-type': 'application/json', 'x-api-key': 'k'}, body: '{}'})
  for await (const e of sse(res)) {
    if (e.type === 'content_block_delta') {
      const ms = now() - t
      await res.body.cancel().catch(() => {})
      return ms
    }
  }
  throw new Error('no delta')
}

/** Descendants of pid (agent processes under the server), from /proc. */
function treeRss(pid) {
  const parent = parents()
  const inTree = (p) => {
    for (let cur = p, hops = 0; cur > 1 && hops < 64; cur = parent.get(cur) ?? 0, hops++) if (cur === pid) return true
    return false
  }
  let rss = 0
  for (const p of parent.keys()) if (inTree(p)) rss += rssOf(p)
  return rss
}

/**
 * An account with an Anthropic-model instance and a key behind `server`, warmed up, then `runs`
 * pairs of (a provider call directly, a message through clawd) measured to the first text delta.
 */
export async function ttftRuns({server, env, dataDir, replayUrl, runs, email}) {
  const {token} = await newAccount({env, url: server.url, dataDir, email})
  const cliEnv = {...env, CLAWD_API_URL: server.url}
  const created = JSON.parse((await clawd(['instance', 'create', 'bench', '--wait', '--model', 'anthropic/bench', '--json'], {env: cliEnv})).out)
  await clawd(['keys', 'set', 'anthropic'], {env: cliEnv, input: 'bench-key\n'})
  const base = `${server.url}/v1/instances/${created.id}/sessions`
  const auth = {authorization: `Bearer ${token}`, 'content-type': 'application/json'}
  const session = async () => (await (await fetch(base, {method: 'POST', headers: auth, body: '{}'})).json()).id
  const send = (sid) => fetch(`${base}/${sid}/messages`, {method: 'POST', headers: auth, body: JSON.stringify({content: 'hi'})})
  // Warm up the instance and the connection pools.
  for (let i = 0; i < 3; i++) for await (const _ of sse(await send(await session())));
  const direct = []
  const through = []
  for (let i = 0; i < runs; i++) {
    direct.push(await directTtft(replayUrl))
    const sid = await session()
    const t = now()
    const res = await send(sid)
    for await (const e of sse(res)) {
      if (e.type === 'text.delta') {
        through.push(now() - t)
        break
      }
    }
    await res.body.cancel().catch(() => {})
  }
  return {token, instanceName: 'bench', session, send, direct, through}
}

export async function benchStreams({env, dataDir, runs = 30, concurrent = 50}) {
  let mode = {stream: () => fixture('anthropic/basic'), eventDelayMs: 0}
  const replay = await startReplay({stream: () => mode.stream(), eventDelayMs: 0})
  const server = await startServer({
    env,
    dataDir,
    args: ['--provider-url', `anthropic=${replay.url}`, '--egress-allow', '127.0.0.1', '--concurrent-streams', String(concurrent + 10), '--messages-per-day', '1000000'],
  })
  const rows = []
  try {
    const {session, send, direct, through} = await ttftRuns({server, env, dataDir, replayUrl: replay.url, runs, email: 'streams@bench.local'})
    const added = through.map((v, i) => v - direct[i])
    rows.push(row('TTFT, provider directly', direct, 'ms'))
    rows.push(row('TTFT, API → instance → provider', through, 'ms'))
    rows.push(row('TTFT added by clawd (CLI start-up excluded)', added, 'ms', {note: 'goal < 15 ms'}))

    // One long stream: events per second end to end.
    const deltas = 20_000
    const {syntheticStream} = await import('../dist/src/agent/providers/throughput.js')
    const long = syntheticStream('anthropic', deltas)
    mode = {stream: () => long}
    const rates = []
    for (let i = 0; i < 3; i++) {
      const res = await send(await session())
      let count = 0
      let first = 0
      for await (const e of sse(res)) {
        if (e.type === 'text.delta') {
          if (count === 0) first = now()
          count++
        }
      }
      rates.push(count / ((now() - first) / 1000))
    }
    rows.push(row(`events/s through one stream (${deltas} deltas)`, rates, 'events/s', {note: 'goal ≥ 20,000'}))

    // Many concurrent streams: errors and memory of the server and its instances.
    mode = {stream: () => fixture('anthropic/basic')}
    const sessions = await Promise.all(Array.from({length: concurrent}, session))
    const baseline = treeRss(server.child.pid)
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, treeRss(server.child.pid))), 50)
    let errors = 0
    const durations = []
    await Promise.all(
      sessions.map(async (sid) => {
        const t = now()
        try {
          const res = await send(sid)
          if (res.status !== 200) {
            errors++
            await res.body.cancel()
            return
          }
          let ended = false
          for await (const e of sse(res)) if (e.type === 'message.end') ended = true
          if (!ended) errors++
        } catch {
          errors++
        }
        durations.push(now() - t)
      }),
    )
    clearInterval(sampler)
    rows.push(
      row(`${concurrent} concurrent streams, whole answer`, durations, 'ms', {
        note: `${errors} errors; RSS server+instance ${Math.round(baseline / 2 ** 20)} → peak ${Math.round(peak / 2 ** 20)} MB`,
      }),
    )
  } finally {
    await server.stop()
    await replay.close()
  }
  return rows
}

export {treeRss}
