import type {TokenResponse} from '../../contract/auth.js'
import type {TokenProvider} from '../kit/http/api-client.js'
import type {Credential, ResolvedCredential} from './credential.js'
import type {Credentials} from './credentials.js'
import {withFileLock} from './lock.js'
import type {OAuthClient} from '../login/oauth-client.js'

/**
 * True when the access token should be renewed before use: a little before it expires, by at most
 * a minute and at most a tenth of its lifetime (so short test lifetimes still get used).
 */
export function refreshDue(credential: Credential, now: number): boolean {
  if (!credential.refreshToken || credential.accessExpiresAt === undefined) return false
  const lifetime = credential.accessExpiresAt - (credential.accessIssuedAt ?? credential.accessExpiresAt - 3_600_000)
  const margin = Math.min(60_000, Math.max(0, lifetime) / 10)
  return credential.accessExpiresAt - now <= margin
}

/** The credential after a token response: the rotated pair and when the new access token expires. */
export function withTokens(credential: Credential, tokens: TokenResponse, now: number): Credential {
  return {
    ...credential,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    accessIssuedAt: now,
    accessExpiresAt: now + tokens.expires_in * 1000,
  }
}

export interface AuthSessionDeps {
  credentials: Credentials
  oauth: () => Promise<OAuthClient>
  /** The lock file that serialises refreshes across clawd processes. */
  lockPath: string
  now?: () => number
}

/**
 * The logged-in credential as the API client sees it: hands out the access token, refreshing it
 * silently before it expires (or once after the server says it did) and storing the rotated pair.
 */
export class AuthSession implements TokenProvider {
  private readonly now: () => number

  constructor(
    private current: ResolvedCredential,
    private readonly deps: AuthSessionDeps,
  ) {
    this.now = deps.now ?? Date.now
  }

  get resolved(): ResolvedCredential {
    return this.current
  }

  async token(): Promise<string> {
    const {credential} = this.current
    if (this.current.source !== 'env' && refreshDue(credential, this.now())) await this.refresh(credential.accessToken)
    return this.current.credential.accessToken
  }

  async refresh(rejected: string): Promise<boolean> {
    if (this.current.source === 'env' || !this.current.credential.refreshToken) return false
    const api = this.current.credential.api
    return withFileLock(this.deps.lockPath, async () => {
      // Another clawd process may have refreshed while we waited: its pair is the live one, and
      // presenting our (now used) refresh token again would revoke the whole family.
      const latest = await this.deps.credentials.get(api)
      if (!latest) return false
      if (latest.credential.accessToken !== rejected && !refreshDue(latest.credential, this.now())) {
        this.current = latest
        return true
      }
      if (!latest.credential.refreshToken) return false
      const tokens = await (await this.deps.oauth()).refresh(latest.credential.refreshToken)
      const updated = withTokens(latest.credential, tokens, this.now())
      const source = await this.deps.credentials.set(updated)
      this.current = {credential: updated, source}
      return true
    })
  }

  rejectionHint(): string | undefined {
    if (this.current.source === 'env') return 'The token in CLAWD_TOKEN was rejected: create a new one with `clawd tokens create`, or unset CLAWD_TOKEN.'
    return undefined
  }
}

/** A token that is used as is: `login --with-token` checks one before storing it. */
export class StaticToken implements TokenProvider {
  constructor(private readonly value: string) {}
  async token(): Promise<string> {
    return this.value
  }
  async refresh(): Promise<boolean> {
    return false
  }
}
