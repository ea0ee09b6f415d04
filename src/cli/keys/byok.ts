import type {PutKeyResponse} from '../../contract/keys.js'
import {type ByokAadFields, encodeByokAad} from '../../crypto/byok-aad.js'
import {keyFingerprint} from '../../crypto/fingerprint.js'
import {decodePublicKey, type SealedKey, sealKey} from '../../crypto/hpke.js'
import type {Api} from '../kit/http/api.js'

/**
 * A secret sealed on this machine to the instance's public key, with an AAD naming user, instance,
 * key name, endpoint and `version` (and the kind, for a channel credential): `upload` gets only
 * `{kid, enc, ct, version, fingerprint}`. The plaintext never leaves this function.
 */
export async function sealToInstance<T>(
  api: Api,
  aad: Omit<ByokAadFields, 'userId' | 'version'>,
  secret: string,
  nextVersion: Promise<number>,
  upload: (sealed: SealedKey & {kid: string; version: number; fingerprint: string}) => Promise<T>,
): Promise<T> {
  const [me, pub, version] = await Promise.all([api.me.get(), api.keys.publicKey({ref: aad.instanceId}), nextVersion])
  const plaintext = Buffer.from(secret, 'utf8')
  try {
    const sealed = await sealKey({publicKey: decodePublicKey(pub.public_key), kid: pub.kid, aad: encodeByokAad({...aad, userId: me.id, version}), plaintext})
    return await upload({kid: pub.kid, ...sealed, version, fingerprint: keyFingerprint(plaintext)})
  } finally {
    plaintext.fill(0)
  }
}

/** `keys set` on this machine: the key sealed to the instance (sealToInstance) as the next version of its name. */
export async function sealAndUpload(
  api: Api,
  opts: {instanceId: string; name: string; key: string; baseUrl?: string},
): Promise<PutKeyResponse> {
  const ref = opts.instanceId
  // Above a deleted key's version too: the API refuses those, so a replay cannot revive it.
  const version = api.keys.list({ref}).then((existing) => {
    const previous = [...existing.keys, ...(existing.deleted ?? [])].filter((k) => k.name === opts.name).map((k) => k.version)
    return Math.max(0, ...previous) + 1
  })
  return sealToInstance(api, {instanceId: ref, keyName: opts.name, baseUrl: opts.baseUrl ?? ''}, opts.key, version, (sealed) =>
    api.keys.put({ref, name: opts.name, body: {...sealed, ...(opts.baseUrl ? {base_url: opts.baseUrl} : {})}}),
  )
}
