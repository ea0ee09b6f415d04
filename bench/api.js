// Authenticated GETs: throughput with 2 connections, and a paced load of N users × M requests.
import {Pool} from 'undici'
import {now, row} from './stats.js'

/** Requests per second of GET /v1/me with `connections` concurrent connections for `seconds`. */
export async function benchRps({url, token, connections = 2, seconds = 5}) {
  const pool = new Pool(url, {connections})
  const headers = {authorization: `Bearer ${token}`}
  let done = 0
  let errors = 0
  const latencies = []
  const end = now() + seconds * 1000
  const worker = async () => {
    while (now() < end) {
      const t = now()
      const res = await pool.request({path: '/v1/me', method: 'GET', headers})
      await res.body.text()
      latencies.push(now() - t)
      if (res.statusCode === 200) done++
      else errors++
    }
  }
  const start = now()
  await Promise.all(Array.from({length: connections}, worker))
  const elapsed = (now() - start) / 1000
  await pool.close()
  return [row(`GET /v1/me, ${connections} connections`, latencies, 'ms', {note: `${Math.round(done / elapsed)} req/s, ${errors} errors`})]
}

/**
 * N users each make M authenticated GETs, paced to `rate` requests per second in all; reports
 * p50/p99 latency and the error count (anything not 200).
 */
export async function benchLoad({url, tokens, perUser = 100, rate = 500, label}) {
  const pool = new Pool(url, {connections: 16, pipelining: 1})
  const total = tokens.length * perUser
  const interval = 1000 / rate
  const latencies = []
  let errors = 0
  const start = now()
  const inflight = []
  for (let i = 0; i < total; i++) {
    const due = start + i * interval
    const wait = due - now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    const token = tokens[i % tokens.length]
    const path = i % 2 === 0 ? '/v1/instances' : '/v1/me'
    const t = now()
    inflight.push(
      pool
        .request({path, method: 'GET', headers: {authorization: `Bearer ${token}`}})
        .then(async (res) => {
          await res.body.text()
          latencies.push(now() - t)
          if (res.statusCode !== 200) errors++
        })
        .catch(() => errors++),
    )
  }
  await Promise.all(inflight)
  const achieved = total / ((now() - start) / 1000)
  await pool.close()
  return [row(`load ${label}: ${tokens.length} users × ${perUser} GETs @ ${rate}/s`, latencies, 'ms', {note: `${errors} errors, ${Math.round(achieved)} req/s achieved`})]
}
