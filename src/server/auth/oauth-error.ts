import type {OAuthError} from '../../contract/auth.js'

/**
 * An OAuth error response (RFC 6749 §5.2, RFC 8628 §3.5): `{error, error_description}` with
 * 400, or 401 for `invalid_client`. Only the /oauth/* routes answer this way; /v1 uses problem+json.
 */
export class OAuthHttpError extends Error {
  readonly status: number
  readonly retryAfterSec?: number
  constructor(
    readonly error: OAuthError['error'],
    readonly description: string,
    /** Only for answers RFC 6749 leaves to HTTP, such as 429 when a client asks too often. */
    opts: {status?: number; retryAfterSec?: number} = {},
  ) {
    super(description)
    this.name = 'OAuthHttpError'
    this.status = opts.status ?? (error === 'invalid_client' ? 401 : error === 'server_error' ? 500 : 400)
    this.retryAfterSec = opts.retryAfterSec
  }


  body(): OAuthError {
    return {error: this.error, error_description: this.description}
  }
}
