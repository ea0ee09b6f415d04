import type {IncomingHttpHeaders} from 'node:http'
import type {RetryHandler} from 'undici'

/**
 * When to retry an HTTP call and how long to wait. Pure functions, so the policy is tested alone.
 * Only idempotent methods are retried: repeating a POST could create a thing twice.
 */
export interface RetryPolicy {
  /** Total tries, the first one included. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** A Retry-After longer than this is not waited for: the error says when to try again instead. */
  maxRetryAfterMs: number
}

export const defaultRetryPolicy: RetryPolicy = {maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 4000, maxRetryAfterMs: 20_000}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase())
}

/** Statuses that mean "this server or a proxy in front of it is busy or restarting". */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504
}

/** Error codes that mean the request never got an answer (refused, DNS, reset, timed out). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOENT', // a unix socket that is gone
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
])
export function isNetworkError(error: unknown): boolean {
  const e = error as {code?: string; cause?: {code?: string}} | undefined
  return Boolean(e && (NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(e.cause?.code ?? '')))
}

/** Retry-After (RFC 9110 §10.2.3) in milliseconds from now: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (!text) return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // An HTTP date always names a day or month; this keeps "-5" or "1.5" from parsing as a year.
  if (!/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}

/**
 * Exponential backoff with jitter for retry number `retry` (1 for the first retry): a random delay
 * in the upper half of min(maxDelay, base·2^(retry-1)), so clients that failed together spread out.
 */
export function backoffDelay(retry: number, policy: RetryPolicy = defaultRetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

export interface RetryTiming {
  /** Waits between tries; tests record the delays instead of sleeping. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  now: () => number
  random?: () => number
}

/**
 * The policy as undici's RetryHandler asks for it after each failed try (`counter` is the try that
 * failed): wait and try again, or hand the last answer or error on. Idempotent requests are
 * repeated on network errors and on 429/502/503/504, after the server's Retry-After or a jittered
 * backoff; a Retry-After longer than the policy waits for is handed on, so the error can say when.
 */
export function retryDecision(policy: RetryPolicy, timing: RetryTiming): RetryHandler.RetryCallback {
  return (err, {state, opts}, done) => {
    const attempt = state.counter
    if (attempt >= policy.maxAttempts || !isIdempotent(opts.method)) return done(err)
    const {statusCode, headers} = err as {statusCode?: number; headers?: IncomingHttpHeaders}
    let wait = backoffDelay(attempt, policy, timing.random)
    if (statusCode !== undefined) {
      if (!isRetryableStatus(statusCode)) return done(err)
      wait = parseRetryAfter(headers?.['retry-after'], timing.now()) ?? wait
      if (wait > policy.maxRetryAfterMs) return done(err)
    } else if (!isNetworkError(err)) return done(err)
    const signal = (opts as {signal?: AbortSignal}).signal
    timing.sleep(wait, signal).then(() => done(null), () => done(err))
  }
}

/** "in 30 s", "in 5 min", for telling a person when to try again. */
export function describeWait(ms: number): string {
  const s = Math.ceil(ms / 1000)
  if (s < 90) return `${s} s`
  const m = Math.ceil(s / 60)
  if (m < 90) return `${m} min`
  return `${Math.ceil(m / 60)} h`
}
