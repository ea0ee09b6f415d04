import type {Channel, DmPolicy} from '../../contract/channels.js'
import type {Api} from '../kit/http/api.js'
import {sealToInstance} from '../keys/byok.js'
import type {CheckedBot} from './bot-check.js'

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
