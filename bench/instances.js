// Instance lifecycle figures for `npm run bench` (issue 3): create → running, pause, resume to the
// first byte of an answer, and the memory of one idle running instance. Runs the BUILT server
// (dist/) in this process with a temp data dir, and talks to it over HTTP like any client; the
// instances are real agent processes (under bwrap when the host allows).
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {Writable} from 'node:stream'
import {pathToFileURL} from 'node:url'
import {percentile, processMemory} from '../dist/src/runtime/bench.js'
import {issueTokenPair} from '../dist/src/server/auth/token-store.js'
import {createUser} from '../dist/src/server/auth/users.js'
import {defaultConfig} from '../dist/src/server/config.js'
import {startServer} from '../dist/src/server/main.js'

const POLL_MS = 5
const IDLE_BEFORE_RSS_MS = 1000
const STEP_TIMEOUT_MS = 60_000

/**
 * Runs `runs` measured rounds (plus one warm-up) of: create → running, idle RSS, pause, a request
 * to the paused instance (transparent resume → first byte), pause again, a chat message to the
 * paused instance (→ first text token), delete. Returns one row per figure.
 */
export async function benchInstances({runs = 20} = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'clawd-bi-'))
  const config = defaultConfig(dataDir)
  config.port = 0
  config.logLevel = 'warn'
  config.instances.sandbox = process.env.CLAWD_SANDBOX ?? 'auto'
  config.instances.maxPerUser = 1000
  config.instances.maxRunningPerUser = 1000
  config.plans.free.messagesPerDay = 100_000
  const discard = new Writable({write: (_chunk, _enc, cb) => cb()})
  const server = await startServer(config, {logStream: discard})
  const samples = {create: [], pause: [], resumeFirstByte: [], resumeFirstToken: [], rss: [], private: []}
  try {
    const user = await createUser(server.ctx, `bench-${Date.now()}@example.com`, 'bench-password-1')
    const {accessToken} = await server.ctx.db.asSystem((q) => issueTokenPair(server.ctx, q, {userId: user.id, clientId: 'bench'}))
    const api = client(server.url, accessToken)
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
  } finally {
    await server.close()
    rmSync(dataDir, {recursive: true, force: true})
  }
}

/** A tiny API client: JSON calls, state polling, and time-to-first-byte/token requests. */
function client(url, token) {
  const headers = (body) => ({authorization: `Bearer ${token}`, ...(body === undefined ? {} : {'content-type': 'application/json'})})
  const call = (method, path, body) =>
    fetch(url + path, {method, headers: headers(body), body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(STEP_TIMEOUT_MS)})
  return {
    async json(method, path, body) {
      const res = await call(method, path, body)
      const text = await res.text()
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`)
      return text ? JSON.parse(text) : undefined
    },
    async waitState(ref, state) {
      const deadline = Date.now() + STEP_TIMEOUT_MS
      for (;;) {
        const row = await this.json('GET', `/v1/instances/${ref}`)
        if (row.state === state) return row
        if (row.state === 'failed') throw new Error(`instance ${ref} failed: ${row.failure_reason}`)
        if (Date.now() > deadline) throw new Error(`instance ${ref} is still ${row.state}, not ${state}`)
        await delay(POLL_MS)
      }
    },
    /** Resolves at the first byte of the answer's body, then drains it. */
    async firstByte(method, path) {
      const res = await call(method, path)
      if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`)
      const reader = res.body.getReader()
      await reader.read()
      for (;;) if ((await reader.read()).done) break
    },
    /** Resolves at the first text.delta of a message stream, then reads it to the end. */
    async firstToken(path, body) {
      const res = await call('POST', path, body)
      if (res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`)
      const reader = res.body.getReader()
      const decoder = new TextDecoder()
      let text = ''
      let seen = false
      for (;;) {
        const {value, done} = await reader.read()
        if (done) break
        if (seen) continue
        text += decoder.decode(value, {stream: true})
        if (text.includes('"type":"text.delta"')) seen = true
      }
      if (!seen) throw new Error(`the answer had no text: ${text.slice(0, 300)}`)
    },
  }
}

/** The agent's host pid: the process whose command line runs agent/main.js for this instance. */
function agentPid(instanceId) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let argv
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean)
    } catch {
      continue
    }
    const exe = basename(argv[0] ?? '')
    if (argv.includes(instanceId) && argv.some((a) => a.endsWith(join('agent', 'main.js'))) && exe !== 'bwrap' && exe !== 'prlimit') return Number(entry)
  }
  return undefined
}

function vmRss(pid) {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(kb?.[1] ?? 0) * 1024
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const round = (n) => Math.round(n * 10) / 10

// `node bench/instances.js [runs]` prints the table on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchInstances({runs: Number(process.argv[2] ?? 20)})
  const width = Math.max(...rows.map((r) => r.name.length))
  for (const r of rows) console.log(`${r.name.padEnd(width)}  p50 ${String(r.p50).padStart(7)} ${r.unit}  p95 ${String(r.p95).padStart(7)} ${r.unit}`)
}
