import type {IncomingHttpHeaders} from 'node:http'
import {setTimeout as delay} from 'node:timers/promises'
import type {Dispatcher} from 'undici'
import {CliError} from '../errors.js'
import {backoffDelay, defaultRetryPolicy, isIdempotent, isNetworkError, isRetryableStatus, parseRetryAfter, type RetryPolicy} from './retry.js'

export interface HttpRequest {
  method: string
  url: string
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
}

export interface HttpResponse {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

export interface HttpTransportOptions {
  userAgent: string
  policy?: RetryPolicy
  /** Waits between retries; tests record the delays instead of sleeping. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  now?: () => number
  random?: () => number
  /** A unix-socket agent for the admin API; the global pool otherwise. */
  dispatcher?: Dispatcher
  /** How long to wait for response headers and between body chunks. */
  timeoutMs?: number
  /** The error for "no answer at all"; defaults to CliError.unreachable for the URL's origin. */
  unreachable?: (url: string, cause: unknown) => CliError
}

/**
 * One HTTP exchange with bounded retries: idempotent requests are repeated on network errors and
 * on 429/502/503/504, with jittered exponential backoff or the server's Retry-After. Non-idempotent
 * requests are sent once; their 429 reaches the caller, which says when to try again.
 */
export class HttpTransport {
  private readonly policy: RetryPolicy
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  private readonly now: () => number

  constructor(private readonly opts: HttpTransportOptions) {
    this.policy = opts.policy ?? defaultRetryPolicy
    this.sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, {signal}))
    this.now = opts.now ?? Date.now
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const retryable = isIdempotent(req.method)
    for (let attempt = 1; ; attempt++) {
      const canRetry = retryable && attempt < this.policy.maxAttempts
      let response: HttpResponse
      try {
        response = await this.once(req)
      } catch (error) {
        if (req.signal?.aborted) throw error
        if (!isNetworkError(error)) throw error
        if (!canRetry) throw (this.opts.unreachable ?? defaultUnreachable)(req.url, error)
        await this.sleep(backoffDelay(attempt, this.policy, this.opts.random), req.signal)
        continue
      }
      if (canRetry && isRetryableStatus(response.status)) {
        const wait = parseRetryAfter(response.headers['retry-after'], this.now()) ?? backoffDelay(attempt, this.policy, this.opts.random)
        if (wait <= this.policy.maxRetryAfterMs) {
          await this.sleep(wait, req.signal)
          continue
        }
      }
      return response
    }
  }

  private async once(req: HttpRequest): Promise<HttpResponse> {
    const timeout = this.opts.timeoutMs ?? 30_000
    // undici loads on the first request, not at start-up: a command that finds it has nothing
    // to send (no login) never pays for it.
    const {request} = await import('undici')
    const res = await request(req.url, {
      method: req.method as Dispatcher.HttpMethod,
      headers: {'user-agent': this.opts.userAgent, ...req.headers},
      body: req.body,
      signal: req.signal,
      dispatcher: this.opts.dispatcher,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    })
    return {status: res.statusCode, headers: res.headers as IncomingHttpHeaders, text: await res.body.text()}
  }
}

function defaultUnreachable(url: string, cause: unknown): CliError {
  return CliError.unreachable(new URL(url).origin, cause)
}
