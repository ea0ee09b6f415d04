import {z} from 'zod'
import {type ErrorCode, ERROR_CODES, problemSchema} from '../../../contract/problem.js'
import {CliError} from '../errors.js'
import {ExitCode, type ExitCodeValue, exitCodeFor} from '../exit-codes.js'
import {describeWait, parseRetryAfter} from './retry.js'
import type {HttpResponse} from './transport.js'

/** A problem from a newer server may carry a code this CLI does not know yet; it still has a status. */
const lenientProblemSchema = problemSchema.extend({code: z.string()})

function exitCodeForStatus(status: number): ExitCodeValue {
  if (status === 401 || status === 403) return ExitCode.auth
  if (status === 404) return ExitCode.notFound
  if (status === 409) return ExitCode.conflict
  if (status === 429) return ExitCode.quota
  if (status >= 502 && status <= 504) return ExitCode.unavailable
  if (status >= 400 && status < 500) return ExitCode.usage
  return ExitCode.unexpected
}

/** The JSON in `text`, or undefined when it is not JSON (a schema then refuses it). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** When to try again after a 429 or 503, from Retry-After or the problem's retry_at. */
export function retryHint(res: HttpResponse, retryAt: string | undefined, now: number): string | undefined {
  let wait = parseRetryAfter(res.headers['retry-after'], now)
  if (wait === undefined && retryAt && !Number.isNaN(Date.parse(retryAt))) wait = Math.max(0, Date.parse(retryAt) - now)
  return wait === undefined ? undefined : `Try again in ${describeWait(wait)}.`
}

/**
 * Turns an error response into the CliError the user sees: the server's problem detail and hint
 * when it sent RFC 9457 problem+json, else a plain line about the status.
 */
export function errorFromResponse(res: HttpResponse, apiUrl: string, now: number = Date.now()): CliError {
  const parsed = lenientProblemSchema.safeParse(parseJson(res.text))
  if (parsed.success) {
    const p = parsed.data
    const known = (ERROR_CODES as readonly string[]).includes(p.code)
    const when = res.status === 429 || res.status === 503 ? retryHint(res, p.retry_at, now) : undefined
    return new CliError({
      code: p.code,
      message: p.detail ?? p.title,
      hint: [p.hint, when].filter(Boolean).join(' ') || undefined,
      exitCode: known ? exitCodeFor(p.code as ErrorCode) : exitCodeForStatus(res.status),
      incident: p.incident,
      retryAt: p.retry_at,
    })
  }
  const when = retryHint(res, undefined, now)
  if (res.status === 429) {
    return new CliError({code: 'rate_limited', message: `The clawd API at ${apiUrl} is rate limiting this client.`, hint: when ?? 'Wait a little and try again.', exitCode: ExitCode.quota})
  }
  if (res.status >= 500) {
    return new CliError({
      code: 'unavailable',
      message: `The clawd API at ${apiUrl} answered ${res.status}.`,
      hint: when ?? 'Try again in a moment; if it persists, tell the server operator.',
      exitCode: res.status >= 502 && res.status <= 504 ? ExitCode.unavailable : ExitCode.unexpected,
    })
  }
  return new CliError({
    code: 'http_' + res.status,
    message: `The clawd API at ${apiUrl} answered ${res.status}.`,
    hint: 'Check that --api points at a clawd API of a matching version.',
    exitCode: exitCodeForStatus(res.status),
  })
}

/** A 2xx body parsed with its contract schema; one that does not match is unexpectedShape. */
export function parseAnswer<T>(text: string, schema: {safeParse(v: unknown): {success: true; data: T} | {success: false}}, apiUrl: string, what: string): T {
  const parsed = schema.safeParse(parseJson(text))
  if (!parsed.success) throw unexpectedShape(apiUrl, what)
  return parsed.data
}

/** A 2xx body that does not match the contract: most likely a CLI and server of different versions. */
export function unexpectedShape(apiUrl: string, what: string): CliError {
  return new CliError({
    code: 'unexpected_response',
    message: `The clawd API at ${apiUrl} answered ${what} in a shape this CLI does not understand.`,
    hint: 'Check that the CLI and the server are the same version (`clawd --version`).',
    exitCode: ExitCode.unexpected,
  })
}
