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

/** "in 30 s", "in 5 min", for telling a person when to try again. */
export function describeWait(ms: number): string {
  const s = Math.ceil(ms / 1000)
  if (s < 90) return `${s} s`
  const m = Math.ceil(s / 60)
  if (m < 90) return `${m} min`
  return `${Math.ceil(m / 60)} h`
}
