import {spawn} from 'node:child_process'
import {BIN, type CliOptions, type CliResult} from '../helpers/cli.js'

export interface RunningCli {
  /** Resolves with the first match of `pattern` in stderr, as it arrives. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  done: Promise<CliResult>
  kill(signal?: NodeJS.Signals): void
}

/**
 * Like runCli, but returns while the command still runs, so a test can read the login code it
 * prints and approve it. Same environment rules: no TTY, CI=1, NO_COLOR, only the env given.
 */
export function startCli(args: string[], opts: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CI: '1', ...opts.env},
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const listeners = new Set<() => void>()
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => {
    stderr += d
    for (const l of listeners) l()
  })
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`clawd ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, opts.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      for (const l of listeners) l()
      resolve({code, stdout, stderr})
    })
  })
  child.stdin.end(opts.input ?? '')
  return {
    done,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitForStderr(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = stderr.match(pattern)
          if (m) {
            cleanup()
            resolve(m)
          } else if (child.exitCode !== null) {
            cleanup()
            reject(new Error(`clawd exited ${child.exitCode} before printing ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`))
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`no ${pattern} on stderr within ${timeoutMs} ms\nstderr: ${stderr}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        check()
      })
    },
  }
}

export const USER_CODE = /one-time code: ([A-Z]{4}-[A-Z]{4})/
