import type {MeResponse} from '../../contract/auth.js'
import {parseToken} from '../../crypto/tokens.js'
import type {TokenProvider} from '../kit/http/api-client.js'
import {StaticToken, withTokens} from '../credentials/auth-session.js'
import type {Credential} from '../credentials/credential.js'
import {deviceLogin, type DeviceLoginOptions} from './device-login.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import type {Factory} from '../kit/factory.js'
import type {OAuthClient} from './oauth-client.js'

export interface LoginResult {
  email: string
  user_id: string
  api: string
  /** Where the credential was stored. */
  source: 'keyring' | 'file'
}

/** Stores the credential and remembers this API as the default for later commands. */
async function remember(f: Factory, credential: Credential, me: MeResponse): Promise<LoginResult> {
  const source = await f.credentials.set({...credential, email: me.email, userId: me.id})
  f.config.update({api: credential.api})
  return {email: me.email, user_id: me.id, api: credential.api, source}
}

export type DeviceLoginUi = Pick<DeviceLoginOptions, 'onCode' | 'onSlowDown' | 'signal'>

/**
 * The pair a login just received, before it is stored: it may already need one refresh when the
 * access token is very short-lived (a test server) or the machine is slow.
 */
class NewLogin implements TokenProvider {
  constructor(
    public credential: Credential,
    private readonly oauth: OAuthClient,
    private readonly now: () => number,
  ) {}
  async token(): Promise<string> {
    return this.credential.accessToken
  }
  async refresh(): Promise<boolean> {
    if (!this.credential.refreshToken) return false
    this.credential = withTokens(this.credential, await this.oauth.refresh(this.credential.refreshToken), this.now())
    return true
  }
}

/** `clawd login`: the device grant, then who the tokens belong to, then store them. */
export async function loginWithDeviceCode(f: Factory, ui: DeviceLoginUi): Promise<LoginResult> {
  const api = f.apiUrl
  const now = f.opts.now ?? Date.now
  const oauth = await f.oauth(api)
  const tokens = await deviceLogin({...ui, oauth, now})
  const login = new NewLogin(withTokens({api, accessToken: tokens.access_token}, tokens, now()), oauth, now)
  const me = await (await f.apiWith(login, api)).me.get()
  return remember(f, login.credential, me)
}

/** `clawd login --with-token`: checks the token's form offline, then with the API, then stores it. */
export async function loginWithToken(f: Factory, text: string): Promise<LoginResult> {
  const parsed = parseToken(text)
  if (!parsed) {
    throw CliError.usage('That is not a clawd token.', 'Pass the whole token on stdin, e.g. `clawd login --with-token < token.txt`; tokens start with clawd_pat_ or clawd_at_.')
  }
  if (parsed.kind === 'rt') {
    throw CliError.usage('That is a refresh token, which cannot be used on its own.', 'Create an API token with `clawd tokens create --name ci` and pass that.')
  }
  const api = f.apiUrl
  let me: MeResponse
  try {
    me = await (await f.apiWith(new StaticToken(parsed.token), api)).me.get()
  } catch (error) {
    if (error instanceof CliError && error.exitCode === ExitCode.auth) {
      throw new CliError({code: error.code, message: `The API at ${api} did not accept that token.`, hint: 'Check that it is not revoked or expired, and that --api names the API that issued it.', exitCode: ExitCode.auth})
    }
    throw error
  }
  const expires = me.token.expires_at ? Date.parse(me.token.expires_at) : undefined
  return remember(f, {api, accessToken: parsed.token, accessExpiresAt: expires}, me)
}
