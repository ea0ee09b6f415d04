import type {z} from 'zod'
import {type Channel, type DmPolicy, TELEGRAM_DEFAULT_API_URL, type telegramBotSchema} from '../../contract/channels.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import type {Api} from '../kit/http/api.js'
import {isLoopbackHost} from '../kit/http/security.js'
import {sealToInstance} from '../keys/byok.js'

export type CheckedBot = z.infer<typeof telegramBotSchema>

/**
 * Checks a bot token on this machine with the Bot API's getMe, before anything is sealed or sent,
 * and says which bot it is. The token goes only in the request path, as the Bot API expects, and
 * only over https (or plain http to this machine: a local Bot API server or the test fake).
 * No error message repeats the token or the URL that holds it.
 */
export async function checkBotToken(token: string, apiUrl = TELEGRAM_DEFAULT_API_URL, fetchImpl: typeof fetch = fetch): Promise<CheckedBot> {
  if (!/^\d{1,20}:[A-Za-z0-9_-]{20,200}$/.test(token)) {
    throw CliError.usage('That does not look like a Telegram bot token (digits, a colon, then letters and digits).', 'Copy the token @BotFather gave you; pipe it on stdin or use --from-env VAR.')
  }
  const base = new URL(apiUrl)
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && isLoopbackHost(base.hostname))) {
    throw new CliError({code: 'insecure_api', message: `Refusing to send the bot token over plain http to ${base.host}.`, hint: 'Use an https:// Bot API URL.', exitCode: ExitCode.usage})
  }
  let res: Response
  try {
    res = await fetchImpl(`${apiUrl.replace(/\/+$/, '')}/bot${token}/getMe`, {method: 'POST', signal: AbortSignal.timeout(15_000)})
  } catch {
    throw new CliError({code: 'unreachable', message: `Could not reach the Telegram Bot API at ${base.host}.`, hint: 'Check your network, or --telegram-api-url.', exitCode: ExitCode.unavailable})
  }
  const body = (await res.json().catch(() => undefined)) as {ok?: boolean; result?: {id?: unknown; username?: unknown; is_bot?: unknown}} | undefined
  if (res.status === 401 || res.status === 404) {
    throw new CliError({code: 'unauthenticated', message: 'Telegram does not know this bot token.', hint: 'Check it with @BotFather (/token), then try again.', exitCode: ExitCode.auth})
  }
  const me = body?.result
  if (!body?.ok || typeof me?.id !== 'number' || typeof me.username !== 'string' || me.is_bot !== true) {
    throw new CliError({code: 'unavailable', message: `The Bot API answered ${res.status} without a bot.`, hint: 'Try again later.', exitCode: ExitCode.unavailable})
  }
  return {id: me.id, username: me.username}
}

/**
 * `channels add telegram` on this machine, the way `keys set` seals a key: an AAD naming user,
 * instance, "telegram", the Bot API server and the next version, marked as a channel credential;
 * only the ciphertext and the bot's public identity leave.
 */
export async function sealAndAddTelegram(
  api: Api,
  opts: {instanceId: string; token: string; bot: CheckedBot; apiUrl?: string; dmPolicy: DmPolicy; allowFrom: string[]},
): Promise<Channel> {
  const ref = opts.instanceId
  const version = api.channels.list({ref}).then((existing) => (existing.channels.find((c) => c.kind === 'telegram')?.version ?? 0) + 1)
  const aad = {instanceId: ref, keyName: 'telegram', baseUrl: opts.apiUrl ?? '', kind: 'channel'} as const
  return sealToInstance(api, aad, opts.token, version, (sealed) => {
    const body = {...sealed, bot: opts.bot, dm_policy: opts.dmPolicy, allow_from: opts.allowFrom, ...(opts.apiUrl ? {api_url: opts.apiUrl} : {})}
    return api.channels.addTelegram({ref, body})
  })
}
