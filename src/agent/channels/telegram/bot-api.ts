import type {AgentContext, AgentFetch} from '../../context.js'
import {withOpened} from '../../sealed-keys.js'
import type {StoredTelegramChannel} from './state.js'

/** A Bot API call that Telegram refused (`ok: false`), or that never got an answer. */
export class TelegramApiError extends Error {
  constructor(
    readonly status: number,
    /** Telegram's own description; never the URL, which holds the token. */
    readonly description: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`Telegram answered ${status}: ${description}`)
    this.name = 'TelegramApiError'
  }
}

export interface BotApi {
  call<T = unknown>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T>
}

/** Waits this long at most when Telegram says "retry after N" (flood control), once per call. */
const MAX_RETRY_WAIT_S = 5

/**
 * The Bot API over the instance's egress fetch: `POST <api>/bot<token>/<method>` with a JSON body,
 * the only place the token is written (in the request path, as the Bot API expects). Errors carry
 * Telegram's description but never the URL, so a token cannot reach a log through them.
 */
export function botApi(fetch: AgentFetch, apiUrl: string, token: string): BotApi {
  const base = `${apiUrl.replace(/\/+$/, '')}/bot${token}/`
  return {
    async call<T>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
      for (let attempt = 0; ; attempt++) {
        let res: Response
        try {
          res = await fetch(base + method, {
            method: 'POST',
            headers: {'content-type': 'application/json'},
            body: JSON.stringify(params),
            signal: signal ?? AbortSignal.timeout(30_000),
          })
        } catch (error) {
          throw new TelegramApiError(0, `the Bot API could not be reached (${scrub((error as Error).cause ?? error, token)})`)
        }
        const body = (await res.json().catch(() => undefined)) as
          | {ok?: boolean; result?: T; description?: string; parameters?: {retry_after?: number}}
          | undefined
        if (body?.ok === true) return body.result as T
        const retryAfter = body?.parameters?.retry_after
        if (res.status === 429 && attempt === 0 && retryAfter !== undefined && retryAfter <= MAX_RETRY_WAIT_S) {
          await new Promise((r) => setTimeout(r, retryAfter * 1000))
          continue
        }
        throw new TelegramApiError(res.status, scrub(body?.description ?? res.statusText ?? 'no description', token), retryAfter)
      }
    },
  }
}

/**
 * The Bot API with the channel's token, opened for `fn` only and wiped after (withOpened): the same
 * HPKE open as a BYOK key, with the AAD the API rebuilt (kind "channel"), checked when it was stored.
 */
export function withBot<T>(agent: AgentContext, channel: Pick<StoredTelegramChannel, 'kid' | 'enc' | 'ct' | 'aad' | 'api_url'>, fn: (api: BotApi) => Promise<T>): Promise<T> {
  return withOpened(agent.keys, channel, (token) => fn(botApi(agent.fetch, channel.api_url, token)))
}

function scrub(value: unknown, token: string): string {
  const text = value instanceof Error ? value.message : String(value)
  return token ? text.split(token).join('[token]') : text
}
