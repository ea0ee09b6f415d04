import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {join} from 'node:path'
import {packageRoot} from '../../src/paths.js'

export const BIN = join(packageRoot, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv
  /** Written to stdin, which is then closed. Stdin is never a TTY here. */
  input?: string
  timeoutMs?: number
}

/** A CLI subprocess that is still running; see spawnCli. */
export interface SpawnedCli {
  child: ChildProcessWithoutNullStreams
  /** Resolves when it exits; rejects (and kills it) after the backstop. */
  done: Promise<CliResult>
  /** What it has printed so far. */
  output(): {stdout: string; stderr: string}
}

/**
 * Only a backstop for a CLI that hangs, below vitest's own bound so the failure shows the output:
 * the CLI has its own timeouts, and on a busy machine a `--wait` can take well over 30 s without
 * anything being wrong. Tests wait for what the CLI prints or for its exit, never on a clock.
 */
const HANG_BACKSTOP_MS = 240_000

/**
 * Starts the built CLI as a subprocess the way a CI script would: no TTY, NO_COLOR, and only the
 * environment given (plus PATH/HOME), so a developer's own CLAWD_* settings never leak in.
 * `onOutput` runs after each piece of output and once more on exit.
 */
export function spawnCli(args: string[], opts: CliOptions, onOutput: () => void = () => {}): SpawnedCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CI: '1', ...opts.env},
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => {
    stdout += d
    onOutput()
  })
  child.stderr.on('data', (d) => {
    stderr += d
    onOutput()
  })
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`clawd ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, opts.timeoutMs ?? HANG_BACKSTOP_MS)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      onOutput()
      resolve({code, stdout, stderr})
    })
  })
  child.stdin.end(opts.input ?? '')
  return {child, done, output: () => ({stdout, stderr})}
}

/** Runs the built CLI to its end (see spawnCli). */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, opts).done
}

/** Parses the single JSON document a `--json` command prints. */
export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  }
}
