import type {StreamErrorCode, StreamEvent} from '../../contract/stream.js'
import {CliError} from '../kit/errors.js'
import {ExitCode, type ExitCodeValue} from '../kit/exit-codes.js'

/** Exit codes for an answer that ended in an `error` event (DESIGN §3's table). */
const exitCodes: Partial<Record<StreamErrorCode, ExitCodeValue>> = {
  provider_auth: ExitCode.auth,
  provider_rate_limited: ExitCode.quota,
  instance_deleted: ExitCode.notFound,
  provider_unavailable: ExitCode.unavailable,
  provider_connection: ExitCode.unavailable,
  // The provider is out of reach from this server until its operator allows the host: unavailable,
  // not a bad key (4), whatever status the refusal came with.
  egress_refused: ExitCode.unavailable,
  // No key stored under that name: a thing that is not there (DESIGN §3), not an unexpected error.
  no_key: ExitCode.notFound,
  instance_unavailable: ExitCode.unavailable,
  aborted: ExitCode.interrupted,
}

const defaultHints: Partial<Record<StreamErrorCode, string>> = {
  provider_auth: 'The provider refused the key: set a valid one with `clawd keys set PROVIDER`.',
  provider_rate_limited: 'The provider is rate limiting this key; wait a little and try again.',
  provider_unavailable: 'The provider is having trouble; try again in a moment.',
  provider_connection: 'The instance could not reach the provider; try again in a moment.',
  egress_refused: "The server's operator allows the host with `clawd server start --egress-allow HOST:PORT`.",
  provider_bad_stream: 'The provider sent a stream that could not be read; try again.',
  no_key: 'Hand the instance a key with `clawd keys set PROVIDER`, or pick another model with --model.',
  instance_deleted: 'Create a new instance with `clawd instance create`.',
  instance_unavailable: 'Send the message again; the instance restarts on demand.',
  aborted: 'The answer was stopped; send the message again for a full one.',
  tool_limit: 'The agent kept calling tools past its limit; ask for something smaller.',
}

/**
 * An answer that failed: the stream said so with an `error` event (or ended aborted). With
 * `--json` that event is already on stdout, so only the exit code is left to give.
 */
export class AnswerFailed extends CliError {
  override name = 'AnswerFailed'

  static fromEvent(event: Extract<StreamEvent, {type: 'error'}>): AnswerFailed {
    return new AnswerFailed({
      code: event.code,
      message: event.message,
      hint: event.hint ?? defaultHints[event.code],
      exitCode: exitCodeForStreamError(event.code),
    })
  }

  static stopped(reason: 'aborted' | 'error'): AnswerFailed {
    return reason === 'aborted'
      ? new AnswerFailed({code: 'aborted', message: 'The answer was stopped before it was complete.', hint: defaultHints.aborted, exitCode: ExitCode.interrupted})
      : new AnswerFailed({code: 'internal', message: 'The answer ended with an error.', hint: 'See it with `clawd sessions show`.', exitCode: ExitCode.unexpected})
  }
}

export function exitCodeForStreamError(code: StreamErrorCode): ExitCodeValue {
  return exitCodes[code] ?? ExitCode.unexpected
}

/** Already shown to the person (or nothing to show): only the exit code is left to give. */
export class QuietExit extends CliError {
  constructor(exitCode: ExitCodeValue) {
    super({code: 'exit', message: '', exitCode})
    this.name = 'QuietExit'
  }
}
