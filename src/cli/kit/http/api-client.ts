import type {z} from 'zod'
import {CliError} from '../errors.js'
import {errorFromResponse, unexpectedShape} from './errors.js'
import {assertSafeForTokens} from './security.js'
import type {HttpResponse, HttpTransport} from './transport.js'

/** Hands the API client a bearer token, and a fresh one when the server says it expired. */
export interface TokenProvider {
  token(): Promise<string>
  /** Called at most once per request, after a `token_expired` answer; true when a new token is ready. */
  refresh(rejected: string): Promise<boolean>
  /** Replaces the hint of a 401, e.g. to name CLAWD_TOKEN when that is where the token came from. */
  rejectionHint?(): string | undefined
}

export interface RequestOptions<S extends z.ZodType | undefined> {
  body?: unknown
  /** The contract schema the 2xx body must match; omit for bodiless answers (204). */
  schema?: S
  /** Send the bearer token (default true). */
  auth?: boolean
  signal?: AbortSignal
}

type Result<S> = S extends z.ZodType ? z.infer<S> : undefined

/**
 * JSON over HTTP to the clawd API: sends the bearer token (never over plain http to another
 * machine), refreshes it once on `token_expired`, parses 2xx bodies with the contract schemas and
 * turns problem+json answers into CliErrors with the right exit code.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly http: HttpTransport,
    private readonly auth: TokenProvider | undefined,
  ) {}

  get<S extends z.ZodType>(path: string, schema: S, opts: Omit<RequestOptions<S>, 'schema' | 'body'> = {}) {
    return this.request('GET', path, {...opts, schema})
  }

  post<S extends z.ZodType>(path: string, body: unknown, schema: S, opts: Omit<RequestOptions<S>, 'schema' | 'body'> = {}) {
    return this.request('POST', path, {...opts, body, schema})
  }

  delete(path: string, opts: Omit<RequestOptions<undefined>, 'schema' | 'body'> = {}) {
    return this.request('DELETE', path, opts)
  }

  async request<S extends z.ZodType | undefined = undefined>(method: string, path: string, opts: RequestOptions<S> = {}): Promise<Result<S>> {
    const wantsAuth = opts.auth ?? true
    let token: string | undefined
    if (wantsAuth) {
      if (!this.auth) throw CliError.notLoggedIn()
      assertSafeForTokens(this.baseUrl)
      token = await this.auth.token()
    }
    let res = await this.send(method, path, opts, token)
    if (res.status === 401 && token && this.auth && problemCode(res) === 'token_expired' && (await this.auth.refresh(token))) {
      token = await this.auth.token()
      res = await this.send(method, path, opts, token)
    }
    if (res.status >= 400) {
      const error = errorFromResponse(res, this.baseUrl)
      const hint = res.status === 401 ? this.auth?.rejectionHint?.() : undefined
      throw hint ? new CliError({code: error.code, message: error.message, hint, exitCode: error.exitCode}) : error
    }
    if (!opts.schema) return undefined as Result<S>
    let body: unknown
    try {
      body = JSON.parse(res.text)
    } catch {
      throw unexpectedShape(this.baseUrl, `${method} ${path}`)
    }
    const parsed = opts.schema.safeParse(body)
    if (!parsed.success) throw unexpectedShape(this.baseUrl, `${method} ${path}`)
    return parsed.data as Result<S>
  }

  private send(method: string, path: string, opts: RequestOptions<z.ZodType | undefined>, token: string | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = {accept: 'application/json'}
    if (token) headers.authorization = `Bearer ${token}`
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    return this.http.send({
      method,
      url: this.baseUrl + path,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    })
  }
}

function problemCode(res: HttpResponse): string | undefined {
  try {
    const code = (JSON.parse(res.text) as {code?: unknown}).code
    return typeof code === 'string' ? code : undefined
  } catch {
    return undefined
  }
}
