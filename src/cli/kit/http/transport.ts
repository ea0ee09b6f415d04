import type {IncomingHttpHeaders} from 'node:http'
import type {Readable} from 'node:stream'
import {setTimeout as delay} from 'node:timers/promises'
import type {Dispatcher} from 'undici'
import {CliError} from '../errors.js'
import {defaultRetryPolicy, isNetworkError, retryDecision, type RetryPolicy} from './retry.js'

export interface HttpRequest {
  method: string
  url: string
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
  /** false: one try, whatever the method (an event stream resumes by itself). */
  retry?: boolean
  /** How long to wait for the headers (0: no limit); the transport's timeout otherwise. */
  headersTimeoutMs?: number
  /** How long the body may stay silent; the transport's timeout otherwise. */
  idleTimeoutMs?: number
}

export interface HttpResponse {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

/** An answer whose body is read as it arrives (an event stream), or all at once with text(). */
export interface HttpStream {
  status: number
  headers: IncomingHttpHeaders
  body: Readable
  text(): Promise<string>
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
 * Every HTTP exchange of the CLI, JSON and event streams alike, with bounded retries by undici's
 * RetryAgent under our policy (retry.ts): idempotent requests are repeated on network errors and on
 * 429/502/503/504, with jittered exponential backoff or the server's Retry-After. Non-idempotent
 * requests are sent once; their 429 reaches the caller, which says when to try again.
 */
export class HttpTransport {
  readonly now: () => number
  private retrying: Dispatcher | undefined

  constructor(private readonly opts: HttpTransportOptions) {
    this.now = opts.now ?? Date.now
  }

  /** The whole answer as text. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.open(req)
    return {status: res.status, headers: res.headers, text: await res.text()}
  }

  /** The answer with its body still to read. */
  async open(req: HttpRequest): Promise<HttpStream> {
    const timeout = this.opts.timeoutMs ?? 30_000
    // undici loads on the first request, not at start-up: a command that finds it has nothing
    // to send (no login) never pays for it.
    const {request, RetryAgent, getGlobalDispatcher} = await import('undici')
    // throwOnError off: when the policy gives up on a status, the caller gets that answer.
    this.retrying ??= new RetryAgent(this.opts.dispatcher ?? getGlobalDispatcher(), {
      retry: retryDecision(this.opts.policy ?? defaultRetryPolicy, {sleep: this.opts.sleep ?? ((ms, signal) => delay(ms, undefined, {signal})), now: this.now, random: this.opts.random}),
      throwOnError: false,
    })
    try {
      const res = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: {'user-agent': this.opts.userAgent, ...req.headers},
        body: req.body,
        signal: req.signal,
        dispatcher: req.retry === false ? this.opts.dispatcher : this.retrying,
        headersTimeout: req.headersTimeoutMs ?? timeout,
        bodyTimeout: req.idleTimeoutMs ?? timeout,
      })
      const text = () => res.body.text().catch((error: unknown) => Promise.reject(this.failed(req, error)))
      return {status: res.statusCode, headers: res.headers as IncomingHttpHeaders, body: res.body, text}
    } catch (error) {
      throw this.failed(req, error)
    }
  }

  private failed(req: HttpRequest, error: unknown): unknown {
    if (req.signal?.aborted || !isNetworkError(error)) return error
    return (this.opts.unreachable ?? defaultUnreachable)(req.url, error)
  }
}

function defaultUnreachable(url: string, cause: unknown): CliError {
  return CliError.unreachable(new URL(url).origin, cause)
}
