import {join} from 'node:path'
import {apiFor, type Api} from './http/api.js'
import type {TokenProvider} from './http/api-client.js'
import {AuthSession} from '../credentials/auth-session.js'
import {CliConfig, configDirFor, DEFAULT_API_URL, normalizeApiUrl} from './config.js'
import type {ResolvedCredential} from '../credentials/credential.js'
import {Credentials} from '../credentials/credentials.js'
import type {KeyringBackend} from '../credentials/keyring-store.js'
import {CliError} from './errors.js'
import {ExitCode} from './exit-codes.js'
import {apiAnswers} from './http/reachability.js'
import {HttpTransport, type HttpTransportOptions} from './http/transport.js'
import type {IOStreams} from './io.js'
import type {OAuthClient} from '../login/oauth-client.js'

export interface FactoryOptions {
  io: IOStreams
  /** `--api` (oclif already fills it from CLAWD_API_URL). */
  apiFlag?: string
  /** The CLI version, for the User-Agent. */
  version: string
  platform?: NodeJS.Platform
  loadKeyring?: () => Promise<KeyringBackend>
  /** Overrides for the HTTP layer (tests pass a sleep that records instead of waiting). */
  http?: Partial<HttpTransportOptions>
  now?: () => number
}

/**
 * Builds, on first use, what a command needs (like gh's cmdutil.Factory): the config dir, the API
 * URL, the credential and clients. Commands take everything from here; nothing is global, so tests
 * build a factory with their own env and streams.
 */
export class Factory {
  private cache = new Map<string, unknown>()

  constructor(readonly opts: FactoryOptions) {}

  private once<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make())
    return this.cache.get(key) as T
  }

  get env(): NodeJS.ProcessEnv {
    return this.opts.io.env
  }

  get configDir(): string {
    return this.once('configDir', () => configDirFor(this.env, this.opts.platform))
  }

  get config(): CliConfig {
    return this.once('config', () => new CliConfig(this.configDir))
  }

  /** --api > CLAWD_API_URL > the API of the last login > the local default. */
  get apiUrl(): string {
    return this.once('apiUrl', () => normalizeApiUrl(this.opts.apiFlag || this.env.CLAWD_API_URL || this.config.read().api || DEFAULT_API_URL))
  }

  get userAgent(): string {
    return `clawd/${this.opts.version} (${process.platform}; node ${process.version})`
  }

  get credentials(): Credentials {
    return this.once(
      'credentials',
      () =>
        new Credentials({
          configDir: this.configDir,
          config: this.config,
          env: this.env,
          platform: this.opts.platform,
          loadKeyring: this.opts.loadKeyring,
          warn: (line) => this.opts.io.stderr.write(line + '\n'),
        }),
    )
  }

  get http(): HttpTransport {
    return this.once('http', () => new HttpTransport({userAgent: this.userAgent, now: this.opts.now, ...this.opts.http}))
  }

  // The clients load on first use, and the contract's schemas with them: a command that finds it
  // has nothing to send (no login) never loads them.
  async oauth(apiUrl: string = this.apiUrl): Promise<OAuthClient> {
    const {OAuthClient} = await import('../login/oauth-client.js')
    return new OAuthClient(apiUrl, this.http)
  }

  /** CLAWD_TOKEN (for CI) wins over what `clawd login` stored for this API. */
  async credential(): Promise<ResolvedCredential | undefined> {
    const token = this.env.CLAWD_TOKEN?.trim()
    if (token) return {credential: {api: this.apiUrl, accessToken: token}, source: 'env'}
    return this.credentials.get(this.apiUrl)
  }

  /** The credential in use, resolved once per command; undefined when there is none. */
  session(): Promise<AuthSession | undefined> {
    return this.once('session', async () => {
      const resolved = await this.credential()
      if (!resolved) return undefined
      return new AuthSession(resolved, {
        credentials: this.credentials,
        oauth: () => this.oauth(resolved.credential.api),
        lockPath: join(this.configDir, 'refresh.lock'),
        now: this.opts.now,
      })
    })
  }

  /** The API with the stored (or CLAWD_TOKEN) credential; not logged in → exit 4. */
  async api(): Promise<Api> {
    const session = await this.session()
    if (!session) throw await this.whyNoSession()
    return this.apiWith(session)
  }

  /**
   * No login for this API: a mistyped --api is not a missing login. An API that does not answer
   * is "unreachable" (exit 7); one that answers gets "not logged in to URL", naming the API that
   * does have a login when there is one.
   */
  private async whyNoSession(): Promise<CliError> {
    const api = this.apiUrl
    // Only an API the person named can be mistyped; with none named, the login is what is missing.
    const named = Boolean(this.opts.apiFlag || this.env.CLAWD_API_URL)
    if (named && !(await apiAnswers(this.http, api))) return CliError.unreachable(api)
    const last = this.config.read().api
    const other = last && last !== api ? await this.credentials.get(last).catch(() => undefined) : undefined
    if (other) {
      const who = other.credential.email ? ` as ${other.credential.email}` : ''
      return new CliError({
        code: 'not_logged_in',
        message: `You are not logged in to ${api}.`,
        hint: `You are logged in to ${last}${who}: drop --api (and CLAWD_API_URL) to use it, or run \`clawd login --api ${api}\`.`,
        exitCode: ExitCode.auth,
      })
    }
    return named ? CliError.notLoggedIn(`Run \`clawd login --api ${api}\`, or set CLAWD_TOKEN in CI.`, api) : CliError.notLoggedIn()
  }

  /** The API with exactly this token (to check one before storing it), or with none. */
  async apiWith(auth?: TokenProvider, apiUrl: string = this.apiUrl): Promise<Api> {
    const {ApiClient} = await import('./http/api-client.js')
    return apiFor(new ApiClient(apiUrl, this.http, auth))
  }

  /** True when a keyring call timed out; its native work may keep the process from exiting. */
  get keyringStalled(): boolean {
    return this.cache.has('credentials') && this.credentials.stalled
  }
}
