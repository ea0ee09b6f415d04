import type {z} from 'zod'
import {CliError} from '../errors.js'
import {errorFromResponse, parseAnswer, unexpectedShape} from './errors.js'
import {assertSafeForTokens} from './security.js'
import type {HttpRequest, HttpStream, HttpTransport} from './transport.js'
import {EVENT_STREAM, isEventStream} from '../../../sse/frame.js'

/** Hands the API client a bearer token, and a fresh one when the server says it expired. */
export interface TokenProvider {
  token(): Promise<string>
  /** Called at most once per request, after a `token_expired` answer; true when a new token is ready. */
  refresh(rejected: string): Promise<boolean>
  /** Replaces the hint of a 401, e.g. to name CLAWD_TOKEN when that is where the token came from. */
  rejectionHint?(): string | undefined
}

/** What an event stream's request adds: the event to resume after, and how long it may wait. */
export type StreamOptions = Pick<HttpRequest, 'signal' | 'headersTimeoutMs' | 'idleTimeoutMs'> & {body?: unknown; lastEventId?: string}

/**
 * The clawd API over HTTP, JSON and event streams alike: sends the bearer token (never over plain
 * http to another machine), refreshes it once on `token_expired`, parses 2xx bodies with the
 * contract schemas and turns problem+json answers into CliErrors with the right exit code.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly http: HttpTransport,
    private readonly auth: TokenProvider | undefined,
  ) {}

  /**
   * A JSON request; its 2xx body parsed with `schema` (none for bodiless answers). `auth` (default
   * true) sends the bearer token. The typed client (api.ts) says which schema a route answers.
   */
  async request(method: string, path: string, opts: {body?: unknown; schema?: z.ZodType; auth?: boolean; signal?: AbortSignal} = {}): Promise<unknown> {
    const res = await this.exchange(method, path, {accept: 'application/json', body: opts.body, signal: opts.signal, auth: opts.auth ?? true})
    const text = await res.text()
    return opts.schema ? parseAnswer(text, opts.schema, this.baseUrl, `${method} ${path}`) : undefined
  }

  /**
   * Opens an event stream, sent once: the stream's reader reconnects by itself with Last-Event-ID.
   * The caller reads (and destroys) the body.
   */
  async events(method: 'GET' | 'POST', path: string, opts: StreamOptions = {}): Promise<HttpStream> {
    const headers: Record<string, string> = {'cache-control': 'no-cache', ...(opts.lastEventId ? {'last-event-id': opts.lastEventId} : {})}
    const res = await this.exchange(method, path, {...opts, accept: EVENT_STREAM, headers, auth: true, retry: false})
    if (!isEventStream(String(res.headers['content-type'] ?? ''))) {
      res.body.destroy()
      throw unexpectedShape(this.baseUrl, `${method} ${path}`)
    }
    return res
  }

  /** One request with the token (refreshed once if the server says it expired); a 4xx/5xx throws. */
  private async exchange(
    method: string,
    path: string,
    opts: StreamOptions & {accept: string; headers?: Record<string, string>; auth: boolean; retry?: boolean},
  ): Promise<HttpStream> {
    let token: string | undefined
    if (opts.auth) {
      if (!this.auth) throw CliError.notLoggedIn()
      assertSafeForTokens(this.baseUrl)
      token = await this.auth.token()
    }
    const send = (bearer: string | undefined) =>
      this.http.open({
        method,
        url: this.baseUrl + path,
        headers: {
          accept: opts.accept,
          ...opts.headers,
          ...(bearer ? {authorization: `Bearer ${bearer}`} : {}),
          ...(opts.body !== undefined ? {'content-type': 'application/json'} : {}),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
        retry: opts.retry,
        headersTimeoutMs: opts.headersTimeoutMs,
        idleTimeoutMs: opts.idleTimeoutMs,
      })
    let res = await send(token)
    let error = res.status < 400 ? undefined : errorFromResponse({...res, text: await res.text()}, this.baseUrl, this.http.now())
    if (error?.code === 'token_expired' && token && this.auth && (await this.auth.refresh(token))) {
      token = await this.auth.token()
      res = await send(token)
      error = res.status < 400 ? undefined : errorFromResponse({...res, text: await res.text()}, this.baseUrl, this.http.now())
    }
    if (!error) return res
    const hint = res.status === 401 ? this.auth?.rejectionHint?.() : undefined
    throw hint ? new CliError({code: error.code, message: error.message, hint, exitCode: error.exitCode}) : error
  }
}
