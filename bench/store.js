// The store, side by side: the embedded PostgreSQL under the data dir against an external
// PostgreSQL, each behind a real `clawd server start`: start-up, idle memory, authenticated GETs
// at 10 connections against /healthz on the same server, and the time to first token added.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Pool} from 'undici'
import {clawd, startServer} from '../scripts/harness.js'
import {cmdline, parents, rssOf} from './proc.js'
import {fixture, startReplay} from './provider-replay.js'
import {now, percentile} from './stats.js'
import {ttftRuns} from './streams.js'

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`

/**
 * Resident memory of the API process and of the embedded cluster's processes. PostgreSQL's
 * processes share their buffers, which RSS counts in each: Pss (proportional share) is the fair sum.
 */
function storeMemory(serverPid, dataDir) {
  const parentOf = parents()
  const pgData = join(dataDir, 'pg', 'data')
  const postmasters = new Set([...parentOf.keys()].filter((p) => cmdline(p).includes(pgData)))
  // The postmaster and its children (checkpointer, walwriter, autovacuum, one backend per connection).
  const pids = [serverPid, ...[...parentOf.keys()].filter((p) => postmasters.has(p) || postmasters.has(parentOf.get(p)))]
  let pss = 0
  for (const pid of pids) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))
      if (m) pss += Number(m[1]) * 1024
    } catch {}
  }
  return {pss, processes: pids.length, apiRss: rssOf(serverPid)}
}

async function timedStart(env, dataDir, args) {
  const t = now()
  const server = await startServer({env, dataDir, args})
  return {server, ms: now() - t}
}

async function hammer(url, path, headers, {connections = 10, seconds = 5} = {}) {
  const pool = new Pool(url, {connections})
  const latencies = []
  let errors = 0
  const end = now() + seconds * 1000
  const worker = async () => {
    while (now() < end) {
      const t = now()
      const res = await pool.request({path, method: 'GET', headers})
      await res.body.text()
      latencies.push(now() - t)
      if (res.statusCode !== 200) errors++
    }
  }
  const start = now()
  await Promise.all(Array.from({length: connections}, worker))
  const rps = Math.round(latencies.length / ((now() - start) / 1000))
  await pool.close()
  return {rps, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors}
}

/** One store: returns a column of figures keyed by what they measure. */
async function measure({work, label, args, runs}) {
  const dataDir = join(work.dir, `store-${label}`)
  const replay = await startReplay({stream: () => fixture('anthropic/basic'), eventDelayMs: 0})
  const serverArgs = [
    ...args,
    '--provider-url', `anthropic=${replay.url}`, '--egress-allow', '127.0.0.1',
    '--rate-limit-token', 'off', '--rate-limit-ip', 'off', '--messages-per-day', '1000000',
  ]
  const out = {}
  try {
    const fresh = await timedStart(work.env, dataDir, serverArgs)
    out['server start, fresh data dir'] = `${Math.round(fresh.ms)} ms`
    await fresh.server.stop()
    const again = await timedStart(work.env, dataDir, serverArgs)
    out['server start, restart'] = `${Math.round(again.ms)} ms`
    const server = again.server
    try {
      // Idle: just started, nothing asked of it yet but a moment to settle.
      await new Promise((r) => setTimeout(r, 2000))
      const idle = storeMemory(server.child.pid, dataDir)
      out['idle memory after start: API + database processes (PSS)'] =
        label === 'embedded' ? `${mb(idle.pss)} (${idle.processes} processes; API RSS ${mb(idle.apiRss)})` : `${mb(idle.apiRss)} API RSS (the external server's memory is not ours to count)`
      const ttft = await ttftRuns({server, env: work.env, dataDir, replayUrl: replay.url, runs, email: 'ttft@bench.local'})
      const added = ttft.through.map((v, i) => v - ttft.direct[i])
      out['time to first token added, p50 / p95'] = `${percentile(added, 50).toFixed(1)} / ${percentile(added, 95).toFixed(1)} ms`
      const headers = {authorization: `Bearer ${ttft.token}`}
      const me = await hammer(server.url, '/v1/me', headers)
      const health = await hammer(server.url, '/healthz', {})
      out['GET /v1/me, 10 connections'] = `${me.rps} req/s, p50 ${me.p50.toFixed(1)} ms, p99 ${me.p99.toFixed(1)} ms, ${me.errors} errors`
      out['GET /healthz, 10 connections'] = `${health.rps} req/s, p50 ${health.p50.toFixed(1)} ms, p99 ${health.p99.toFixed(1)} ms`
      // After the load above: the instance paused, nothing in flight, a moment for the pools to settle.
      await clawd(['instance', 'pause', ttft.instanceName, '--wait'], {env: {...work.env, CLAWD_API_URL: server.url}})
      await new Promise((r) => setTimeout(r, 1000))
      const mem = storeMemory(server.child.pid, dataDir)
      out['memory after the load above, idle again (PSS)'] =
        label === 'embedded' ? `${mb(mem.pss)} (${mem.processes} processes; API RSS ${mb(mem.apiRss)})` : `${mb(mem.apiRss)} API RSS (the external server's memory is not ours to count)`
    } finally {
      await server.stop()
    }
  } finally {
    await replay.close()
  }
  return out
}

export async function benchStores({work, pgUrl, runs = 30}) {
  const stores = [['embedded', []]]
  if (pgUrl) stores.push(['external', ['--database-url', pgUrl, '--database-schema', `clawd_bench_${process.pid}`]])
  const columns = []
  for (const [label, args] of stores) columns.push([label, await measure({work, label, args, runs})])
  if (pgUrl) {
    const pg = await import('pg')
    const client = new pg.default.Client({connectionString: pgUrl})
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS clawd_bench_${process.pid} CASCADE`)
    await client.end()
  }
  return columns
}

/** Prints the stores side by side: one row per figure, one column per store. */
export function printStores(columns) {
  const names = Object.keys(columns[0][1])
  const header = ['what', ...columns.map(([label]) => (label === 'embedded' ? 'embedded PostgreSQL' : 'external PostgreSQL'))]
  const rows = names.map((n) => [n, ...columns.map(([, col]) => col[n] ?? '')])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  process.stdout.write('\n## Store\n\n')
  for (const r of [header, widths.map((w) => '-'.repeat(w)), ...rows]) process.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd() + '\n')
  if (columns.length === 1) process.stdout.write('(external PostgreSQL skipped: set CLAWD_TEST_DATABASE_URL or CLAWD_BENCH_DATABASE_URL)\n')
}
