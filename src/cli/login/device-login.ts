import {setTimeout as delay} from 'node:timers/promises'
import type {DeviceAuthorizationResponse, TokenResponse} from '../../contract/auth.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import {type OAuthClient, oauthRefusal} from './oauth-client.js'

/** RFC 8628 §3.5: each slow_down adds 5 seconds to the polling interval, for good. */
export const SLOW_DOWN_STEP_MS = 5000
/** Polls in a row that got no answer before we give up (the network, not the user, is the problem). */
const MAX_UNANSWERED_POLLS = 5

export interface DeviceLoginOptions {
  oauth: Pick<OAuthClient, 'startDeviceAuthorization' | 'pollDeviceToken'>
  /** Shows the code and URL (and may open a browser) before polling starts. */
  onCode: (auth: DeviceAuthorizationResponse) => void | Promise<void>
  /** Told each time the interval grows after slow_down. */
  onSlowDown?: (intervalMs: number) => void
  signal?: AbortSignal
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export function deviceCodeExpired(): CliError {
  return new CliError({
    code: 'expired_token',
    message: 'The login code expired before it was approved.',
    hint: 'Run `clawd login` again and approve the new code within its time.',
    exitCode: ExitCode.auth,
  })
}

/**
 * The OAuth 2.0 device authorization grant, client side (RFC 8628 §3.4–3.5): asks for a code,
 * shows it, then polls the token endpoint every `interval` seconds (5 more after each slow_down)
 * until the user approves or denies, or the code expires. Never runs past `expires_in`.
 */
export async function deviceLogin(opts: DeviceLoginOptions): Promise<TokenResponse> {
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, {signal}))
  const auth = await opts.oauth.startDeviceAuthorization(opts.signal)
  const deadline = now() + auth.expires_in * 1000
  let intervalMs = auth.interval * 1000
  await opts.onCode(auth)
  let unanswered = 0
  for (;;) {
    // Wait first: the user cannot have approved yet, and the server counts early polls as too fast.
    await sleep(Math.max(0, Math.min(intervalMs, deadline - now())), opts.signal)
    let result
    try {
      result = await opts.oauth.pollDeviceToken(auth.device_code, opts.signal)
      unanswered = 0
    } catch (error) {
      // A blip in the network or a restarting server is no reason to abandon a login in progress.
      const transient = error instanceof CliError && error.exitCode === ExitCode.unavailable
      if (!transient || ++unanswered >= MAX_UNANSWERED_POLLS || now() >= deadline) throw error
      continue
    }
    if ('tokens' in result) return result.tokens
    switch (result.error.error) {
      case 'authorization_pending':
        break
      case 'slow_down':
        intervalMs += SLOW_DOWN_STEP_MS
        opts.onSlowDown?.(intervalMs)
        break
      case 'access_denied':
        throw new CliError({
          code: 'access_denied',
          message: 'The login was denied in the browser.',
          hint: 'Run `clawd login` again if that was a mistake; deny codes you did not request.',
          exitCode: ExitCode.auth,
        })
      case 'expired_token':
        throw deviceCodeExpired()
      default:
        throw oauthRefusal(result.error, 'login', 'Run `clawd login` again; if it keeps failing, check that the CLI and the server are the same version.')
    }
    if (now() >= deadline) throw deviceCodeExpired()
  }
}
