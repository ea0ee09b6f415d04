import {ExitCode, type ExitCodeValue} from './exit-codes.js'

/**
 * The one error type commands throw on purpose. It carries what happened (message), what to do
 * (hint) and the exit code, so the base command can print two lines, or a JSON document, and exit
 * with the right number. Messages must never contain a secret.
 */
export class CliError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: ExitCodeValue
  /** An open service incident the API named when it failed, printed as one more line. */
  readonly incident: string | undefined
  /** When a refused request may be made again (a 429 problem's retry_at). */
  readonly retryAt: string | undefined

  constructor(opts: {code: string; message: string; hint?: string; exitCode: ExitCodeValue; cause?: unknown; incident?: string; retryAt?: string}) {
    super(opts.message, {cause: opts.cause})
    this.name = 'CliError'
    this.code = opts.code
    this.hint = opts.hint
    this.exitCode = opts.exitCode
    this.incident = opts.incident
    this.retryAt = opts.retryAt
  }

  static usage(message: string, hint?: string): CliError {
    return new CliError({code: 'usage', message, hint, exitCode: ExitCode.usage})
  }

  static notLoggedIn(hint = 'Run `clawd login`, or set CLAWD_TOKEN in CI.', api?: string): CliError {
    return new CliError({code: 'not_logged_in', message: api ? `You are not logged in to ${api}.` : 'You are not logged in.', hint, exitCode: ExitCode.auth})
  }

  static unreachable(url: string, cause?: unknown): CliError {
    return new CliError({
      code: 'unreachable',
      message: `Could not reach the clawd API at ${url}.`,
      hint: 'Check --api / CLAWD_API_URL, or start one with `clawd server start`.',
      exitCode: ExitCode.unavailable,
      cause,
    })
  }

  static interrupted(): CliError {
    return new CliError({code: 'interrupted', message: 'Interrupted.', exitCode: ExitCode.interrupted})
  }
}
