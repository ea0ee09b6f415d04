import {spawnCli, type CliOptions, type CliResult} from '../helpers/cli.js'

export interface RunningCli {
  /** Resolves with the first match of `pattern` in stderr, as it arrives; rejects if the CLI exits first. */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>
  /**
   * Resolves with what `ready` finds in the output so far, as it arrives; rejects if the CLI exits
   * first (a hung CLI is killed by spawnCli's backstop). `what` names it in errors.
   */
  waitForOutput<T>(what: string, ready: (out: {stdout: string; stderr: string}) => T | null | undefined | false): Promise<T>
  done: Promise<CliResult>
  kill(signal?: NodeJS.Signals): void
}

/**
 * Like runCli, but returns while the command still runs, so a test can read the login code it
 * prints and approve it, or interrupt it. Same environment rules: no TTY, CI=1, NO_COLOR, only the env given.
 */
export function startCli(args: string[], opts: CliOptions = {}): RunningCli {
  const listeners = new Set<() => void>()
  const {child, done, output} = spawnCli(args, opts, () => {
    for (const l of listeners) l()
  })
  const waitForOutput: RunningCli['waitForOutput'] = (what, ready) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const out = output()
        const found = ready(out)
        if (found) {
          cleanup()
          resolve(found)
        } else if (child.exitCode !== null || child.signalCode !== null) {
          cleanup()
          reject(new Error(`clawd exited (${child.exitCode ?? child.signalCode}) before ${what}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`))
        }
      }
      const cleanup = () => listeners.delete(check)
      listeners.add(check)
      check()
    })
  return {
    done,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitForOutput,
    waitForStderr: (pattern) => waitForOutput(`${pattern} on stderr`, ({stderr}) => stderr.match(pattern)),
  }
}

export const USER_CODE = /one-time code: ([A-Z]{4}-[A-Z]{4})/
