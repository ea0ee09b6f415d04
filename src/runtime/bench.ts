/** Figures for `npm run bench` (bench/): the agent's tool calls, and helpers the other benches share. */
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {agentEndpoints} from '../contract/agent-endpoints.js'
import {pathTo} from '../contract/route-path.js'
import {agentRequest} from './agent-client.js'
import {createLocalDriver, type LocalDriverOptions} from './local-driver.js'

/** RSS and private (not shared with other processes) memory of a process, from /proc. */
export function processMemory(pid: number): {rss: number; private: number; pss: number} {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024
  return {rss: kb('Rss'), private: kb('Private_Clean') + kb('Private_Dirty'), pss: kb('Pss')}
}

/** The p-th percentile (0–100) of samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

export interface ToolBenchResult {
  mode: 'bwrap' | 'process'
  /** One `exec` of `true` through the agent (POST /tools/exec on its socket), end to end. */
  execTrueMs: number[]
  /** One `read` of AGENTS.md, end to end. */
  readMs: number[]
  /** The agent's RSS and private memory, idle after the tool calls (runner loaded). */
  idleRssBytes: number
  idlePrivateBytes: number
}

/**
 * The overhead of the agent's tools for `npm run bench`: a call goes over the agent socket (as
 * the loop's call is in-process, this is an upper bound by one local HTTP round trip); exec makes
 * the in-memory workspace copy, starts the nested sandbox, runs `true` (about 1 ms itself) and
 * reads the copy back.
 */
export async function benchToolCalls(opts: {runs?: number; driver?: Partial<LocalDriverOptions>} = {}): Promise<ToolBenchResult> {
  const runs = opts.runs ?? 30
  const dataDir = mkdtempSync(join(tmpdir(), 'clawd-bench-'))
  const driver = await createLocalDriver({dataDir, sandbox: 'auto', memoryLimitMb: 256, egressAllow: [], ...opts.driver})
  const id = 'ins_benchtools'
  const secret = randomBytes(24).toString('base64url')
  const target = {socketPath: driver.connect(id).socketPath, secret}
  const call = async (name: string, args: unknown): Promise<number> => {
    const began = performance.now()
    const res = await agentRequest(target, 'POST', pathTo(agentEndpoints.runTool, {name}), {body: {args}, timeoutMs: 30_000})
    const ms = performance.now() - began
    if (res.status !== 200 || !(res.body as {ok?: boolean}).ok) throw new Error(`${name} failed: ${JSON.stringify(res.body).slice(0, 300)}`)
    return ms
  }
  try {
    await driver.create(id)
    const started = await driver.start(id, {dataKey: randomBytes(32), secret, config: {providerBaseUrls: {}}})
    const result: ToolBenchResult = {mode: driver.isolation.mode, execTrueMs: [], readMs: [], idleRssBytes: 0, idlePrivateBytes: 0}
    // Warm-up: the first calls seed the workspace and load the runner.
    await call('read', {path: 'AGENTS.md'})
    if (driver.isolation.mode === 'bwrap') await call('exec', {command: 'true'})
    for (let i = 0; i < runs; i++) {
      result.readMs.push(await call('read', {path: 'AGENTS.md'}))
      if (driver.isolation.mode === 'bwrap') result.execTrueMs.push(await call('exec', {command: 'true'}))
    }
    await new Promise((r) => setTimeout(r, 1000))
    const memory = processMemory(started.pid)
    result.idleRssBytes = memory.rss
    result.idlePrivateBytes = memory.private
    return result
  } finally {
    await driver.shutdown()
    rmSync(dataDir, {recursive: true, force: true})
  }
}
