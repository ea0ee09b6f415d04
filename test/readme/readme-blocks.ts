import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/**
 * The README's "Real use" commands, run verbatim (issue 16 item 6).
 *
 * Which blocks run is marked in the README itself, by an HTML comment (invisible on GitHub) on
 * the line before a fenced block:
 *
 *   <!-- readme-test -->           the block runs as written in one bash (set -e -o pipefail);
 *                                  every command must succeed
 *   <!-- readme-test: server -->   the block's commands start in the background (a server); the
 *                                  next blocks run once $CLAWD_API_URL answers, and they are
 *                                  logged in, as the README's "Log in" step leaves a user
 *
 * Blocks without a marker (interactive logins, hidden prompts, placeholders) are documentation.
 */
export interface ReadmeBlock {
  kind: 'run' | 'server'
  code: string
  /** 1-based line of the opening fence, for messages. */
  line: number
}

const MARKER = /^<!--\s*readme-test(?::\s*(server))?\s*-->\s*$/

/** The marked blocks of one `## ` section of a markdown text, in order. */
export function markedBlocks(markdown: string, section = 'Real use'): ReadmeBlock[] {
  const lines = markdown.split('\n')
  const start = lines.findIndex((l) => l.trim() === `## ${section}`)
  if (start < 0) return []
  const blocks: ReadmeBlock[] = []
  for (let i = start + 1; i < lines.length && !/^## /.test(lines[i]!); i++) {
    const marker = MARKER.exec(lines[i]!.trim())
    if (!marker) continue
    let j = i + 1
    while (j < lines.length && lines[j]!.trim() === '') j++
    const fence = /^(```+)\s*(sh|bash|shell)?\s*$/.exec(lines[j] ?? '')
    if (!fence) throw new Error(`README line ${i + 1}: a readme-test marker must be followed by a fenced sh block`)
    const end = lines.findIndex((l, k) => k > j && l.trim() === fence[1])
    if (end < 0) throw new Error(`README line ${j + 1}: the fenced block never closes`)
    blocks.push({kind: marker[1] === 'server' ? 'server' : 'run', code: lines.slice(j + 1, end).join('\n'), line: j + 1})
    i = end
  }
  return blocks
}

/**
 * A fresh clone of this repository's HEAD, built as `npm install` builds it, with `clawd` on
 * PATH the way `npm link` puts it there: a `clawd` symlink to the clone's bin/run.js in a bin dir.
 * node_modules is the checkout's own (a symlink): the test is about the README, not the registry.
 */
export function freshClone(repo: string, into: string): {dir: string; bin: string} {
  const dir = join(into, 'clone')
  const run = (cmd: string, args: string[], cwd: string, timeout: number) => {
    const r = spawnSync(cmd, args, {cwd, encoding: 'utf8', timeout, env: {...process.env, GIT_TERMINAL_PROMPT: '0'}})
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`)
  }
  run('git', ['clone', '--quiet', '--no-hardlinks', repo, dir], into, 120_000)
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'))
  // What `npm install` runs after installing (the `prepare` script).
  run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir, 300_000)
  run(process.execPath, [join(repo, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], dir, 120_000)
  const bin = join(into, 'bin')
  mkdirSync(bin)
  symlinkSync(join(dir, 'bin', 'run.js'), join(bin, 'clawd'))
  chmodSync(join(dir, 'bin', 'run.js'), 0o755)
  // `#!/usr/bin/env node` must find this Node.
  symlinkSync(process.execPath, join(bin, 'node'))
  return {dir, bin}
}

export interface BlockResult {
  code: number | null
  output: string
}

/** Runs one block verbatim in bash, bounded in time; output is stdout and stderr interleaved. */
export function runBlock(code: string, opts: {cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; scriptDir: string; name: string}): Promise<BlockResult> {
  const script = join(opts.scriptDir, `${opts.name}.sh`)
  writeFileSync(script, `set -e -o pipefail\n${code}\n`)
  return new Promise((resolve) => {
    const child = spawn('bash', [script], {cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => {
      output += `\n[killed after ${opts.timeoutMs} ms]`
      killGroup(child, 'SIGKILL')
    }, opts.timeoutMs)
    child.on('close', (exit) => {
      clearTimeout(timer)
      resolve({code: exit, output})
    })
  })
}

/** Starts a block in the background (its own process group, so it can be stopped whole). */
export function startBlock(code: string, opts: {cwd: string; env: NodeJS.ProcessEnv; scriptDir: string; name: string}): {child: ChildProcess; output: () => string} {
  const script = join(opts.scriptDir, `${opts.name}.sh`)
  // Each line starts in the background; the script waits for them, so stopping it stops them.
  const lines = code.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))
  writeFileSync(script, `${lines.map((l) => `${l} &`).join('\n')}\nwait\n`)
  const child = spawn('bash', [script], {cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  return {child, output: () => output}
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal)
  } catch {}
}

/** Waits (bounded) until the API answers /healthz. */
export async function waitForApi(url: string, alive: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('the server block exited')
    try {
      const res = await fetch(`${url}/healthz`, {signal: AbortSignal.timeout(2000)})
      if (res.status === 200) return
    } catch {}
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms`)
}

export const exists = existsSync
