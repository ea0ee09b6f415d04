// Instance lifecycle figures for `npm run bench` (issue 3): create → running, pause, resume to the
// first byte of an answer, and the memory of one idle running instance. Runs the BUILT server
// (dist/) in this process with a temp data dir, and talks to it over HTTP like any client; the
// instances are real agent processes (under bwrap when the host allows).
import {readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {percentile, processMemory} from '../dist/src/runtime/bench.js'
import {delay, withServer} from './in-process.js'
import {cmdline, pids} from './proc.js'

const IDLE_BEFORE_RSS_MS = 1000

/**
 * Runs `runs` measured rounds (plus one warm-up) of: create → running, idle RSS, pause, a request
 * to the paused instance (transparent resume → first byte), pause again, a chat message to the
 * paused instance (→ first text token), delete. Returns one row per figure.
 */
export async function benchInstances({runs = 20} = {}) {
  const samples = {create: [], pause: [], resumeFirstByte: [], resumeFirstToken: [], rss: [], private: []}
  const tune = (config) => {
    config.instances.maxPerUser = 1000
    config.instances.maxRunningPerUser = 1000
  }
  return withServer('bi', tune, async ({server, api}) => {
    const mode = server.ctx.instances.isolation.mode

    for (let run = 0; run <= runs; run++) {
      const measured = run > 0
      const name = `bench-${run}`

      let t = performance.now()
      const created = await api.json('POST', '/v1/instances', {name})
      await api.waitState(created.id, 'running')
      if (measured) samples.create.push(performance.now() - t)

      const session = await api.json('POST', `/v1/instances/${name}/sessions`, {})
      if (measured) {
        await delay(IDLE_BEFORE_RSS_MS)
        const pid = agentPid(created.id)
        if (pid) {
          samples.rss.push(vmRss(pid))
          samples.private.push(processMemory(pid).private)
        }
      }

      t = performance.now()
      await api.json('POST', `/v1/instances/${name}/pause`)
      await api.waitState(name, 'paused')
      if (measured) samples.pause.push(performance.now() - t)

      t = performance.now()
      await api.firstByte('GET', `/v1/instances/${name}/sessions`)
      if (measured) samples.resumeFirstByte.push(performance.now() - t)

      await api.json('POST', `/v1/instances/${name}/pause`)
      await api.waitState(name, 'paused')
      t = performance.now()
      await api.firstToken(`/v1/instances/${name}/sessions/${session.id}/messages`, {content: 'hello'})
      if (measured) samples.resumeFirstToken.push(performance.now() - t)

      await api.json('DELETE', `/v1/instances/${name}`)
    }

    const ms = (label, xs) => ({name: `${label} (${mode})`, p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), unit: 'ms'})
    const mb = (label, xs) => ({name: `${label} (${mode})`, p50: round(percentile(xs, 50) / 2 ** 20), p95: round(percentile(xs, 95) / 2 ** 20), unit: 'MB'})
    return [
      ms('instance create → running', samples.create),
      ms('instance pause → paused', samples.pause),
      ms('paused instance: request → first byte (resume)', samples.resumeFirstByte),
      ms('paused instance: chat message → first token (resume)', samples.resumeFirstToken),
      mb('idle running instance: agent RSS', samples.rss),
      mb('idle running instance: agent private memory', samples.private),
    ]
  })
}

/** The agent's host pid: the process whose command line runs agent/main.js for this instance. */
function agentPid(instanceId) {
  for (const pid of pids()) {
    const argv = cmdline(pid).filter(Boolean)
    const exe = basename(argv[0] ?? '')
    if (argv.includes(instanceId) && argv.some((a) => a.endsWith(join('agent', 'main.js'))) && exe !== 'bwrap' && exe !== 'prlimit') return pid
  }
  return undefined
}

function vmRss(pid) {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(kb?.[1] ?? 0) * 1024
}

const round = (n) => Math.round(n * 10) / 10

// `node bench/instances.js [runs]` prints the table on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchInstances({runs: Number(process.argv[2] ?? 20)})
  const width = Math.max(...rows.map((r) => r.name.length))
  for (const r of rows) console.log(`${r.name.padEnd(width)}  p50 ${String(r.p50).padStart(7)} ${r.unit}  p95 ${String(r.p95).padStart(7)} ${r.unit}`)
}
