import {
  CLI_CLIENT_ID,
  DEVICE_GRANT_TYPE,
  type DeviceAuthorizationResponse,
  deviceAuthorizationResponseSchema,
  type OAuthError,
  oauthErrorSchema,
  oauthPaths,
  type TokenResponse,
  tokenResponseSchema,
} from '../../contract/auth.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import {errorFromResponse, parseAnswer, parseJson} from '../kit/http/errors.js'
import {assertSafeForTokens} from '../kit/http/security.js'
import type {HttpResponse, HttpTransport} from '../kit/http/transport.js'

export type TokenPollResult = {tokens: TokenResponse} | {error: OAuthError}

/**
 * The OAuth 2.0 endpoints the CLI uses: device authorization (RFC 8628), the token endpoint for the
 * device code and refresh grants (RFC 6749), and revocation (RFC 7009). Requests are form-encoded,
 * as those RFCs say.
 */
export class OAuthClient {
  constructor(
    readonly baseUrl: string,
    private readonly http: HttpTransport,
  ) {}

  async startDeviceAuthorization(signal?: AbortSignal): Promise<DeviceAuthorizationResponse> {
    const res = await this.post(oauthPaths.deviceAuthorization, {}, signal)
    if (res.status === 404) {
      throw new CliError({
        code: 'no_device_login',
        message: `The API at ${this.baseUrl} does not offer device login.`,
        hint: 'Check --api / CLAWD_API_URL, or log in with `clawd login --with-token`.',
        exitCode: ExitCode.usage,
      })
    }
    if (res.status !== 200) throw this.failure(res)
    return parseAnswer(res.text, deviceAuthorizationResponseSchema, this.baseUrl, 'the device authorization')
  }

  /** One poll of the token endpoint: tokens, or the OAuth error that says what to do next. */
  async pollDeviceToken(deviceCode: string, signal?: AbortSignal): Promise<TokenPollResult> {
    const res = await this.post(oauthPaths.token, {grant_type: DEVICE_GRANT_TYPE, device_code: deviceCode}, signal)
    if (res.status === 200) return {tokens: parseAnswer(res.text, tokenResponseSchema, this.baseUrl, 'the token request')}
    const error = oauthError(res)
    if (error) return {error}
    throw this.failure(res)
  }

  async refresh(refreshToken: string): Promise<TokenResponse> {
    const res = await this.post(oauthPaths.token, {grant_type: 'refresh_token', refresh_token: refreshToken})
    if (res.status === 200) return parseAnswer(res.text, tokenResponseSchema, this.baseUrl, 'the token refresh')
    const error = oauthError(res)
    if (error?.error === 'invalid_grant') {
      throw new CliError({
        code: 'session_expired',
        message: 'Your login has expired or was revoked.',
        hint: 'Run `clawd login` again.',
        exitCode: ExitCode.auth,
      })
    }
    throw this.failure(res)
  }

  /** RFC 7009: the server answers 200 whether or not it knew the token. */
  async revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<void> {
    const res = await this.post(oauthPaths.revocation, {token, token_type_hint: hint})
    if (res.status !== 200) throw this.failure(res)
  }

  private post(path: string, form: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    // Every one of these carries or returns a token.
    assertSafeForTokens(this.baseUrl)
    return this.http.send({
      method: 'POST',
      url: this.baseUrl + path,
      headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json'},
      body: new URLSearchParams({...form, client_id: CLI_CLIENT_ID}).toString(),
      signal,
    })
  }

  private failure(res: HttpResponse): CliError {
    const error = oauthError(res)
    if (error) return oauthRefusal(error, 'request', 'Check that the CLI and the server are the same version (`clawd --version`).')
    return errorFromResponse(res, this.baseUrl)
  }
}

/** An OAuth error answer (RFC 6749 §5.2) as the CLI's error: its description, else its code. */
export function oauthRefusal(error: OAuthError, what: string, hint: string): CliError {
  return new CliError({code: error.error, message: error.error_description ?? `The API refused the ${what} (${error.error}).`, hint, exitCode: ExitCode.auth})
}

function oauthError(res: HttpResponse): OAuthError | undefined {
  if (res.status !== 400 && res.status !== 401) return undefined
  const parsed = oauthErrorSchema.safeParse(parseJson(res.text))
  return parsed.success ? parsed.data : undefined
}
