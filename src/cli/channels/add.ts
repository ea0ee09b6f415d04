import type {Channel, DmPolicy} from '../../contract/channels.js'
import {encodeByokAad} from '../../crypto/byok-aad.js'
import {keyFingerprint} from '../../crypto/fingerprint.js'
import {decodePublicKey, sealKey} from '../../crypto/hpke.js'
import type {Api} from '../kit/http/api.js'
import type {CheckedBot} from './bot-check.js'

/**
 * `channels add telegram` on this machine, the way `keys set` seals a key (src/cli/byok.ts): the
 * instance's public key, an AAD naming user, instance, "telegram", the Bot API server and the next
 * version, marked as a channel credential; only the ciphertext and the bot's public identity leave.
 */
export async function sealAndAddTelegram(
  api: Api,
  opts: {instanceId: string; token: string; bot: CheckedBot; apiUrl?: string; dmPolicy: DmPolicy; allowFrom: string[]},
): Promise<Channel> {
  const ref = opts.instanceId
  const [me, pub, existing] = await Promise.all([api.me.get(), api.keys.publicKey({ref}), api.channels.list({ref})])
  const version = (existing.channels.find((c) => c.kind === 'telegram')?.version ?? 0) + 1
  const plaintext = Buffer.from(opts.token, 'utf8')
  try {
    const sealed = await sealKey({
      publicKey: decodePublicKey(pub.public_key),
      kid: pub.kid,
      aad: encodeByokAad({userId: me.id, instanceId: opts.instanceId, keyName: 'telegram', baseUrl: opts.apiUrl ?? '', version, kind: 'channel'}),
      plaintext,
    })
    const body = {
      kid: pub.kid,
      ...sealed,
      version,
      fingerprint: keyFingerprint(plaintext),
      bot: opts.bot,
      dm_policy: opts.dmPolicy,
      allow_from: opts.allowFrom,
      ...(opts.apiUrl ? {api_url: opts.apiUrl} : {}),
    }
    return await api.channels.addTelegram({ref, body})
  } finally {
    plaintext.fill(0)
  }
}
