import type {PutKeyResponse} from '../../contract/keys.js'
import {encodeByokAad} from '../../crypto/byok-aad.js'
import {keyFingerprint} from '../../crypto/fingerprint.js'
import {decodePublicKey, sealKey} from '../../crypto/hpke.js'
import type {Api} from '../kit/http/api.js'

/**
 * `keys set` on this machine: fetch the instance's public key, seal the key to it with an AAD
 * naming user, instance, key name and the next version, and upload only `{kid, enc, ct, version}`
 * plus the fingerprint. The plaintext never leaves this function.
 */
export async function sealAndUpload(
  api: Api,
  opts: {instanceId: string; name: string; key: string; baseUrl?: string},
): Promise<PutKeyResponse> {
  const ref = opts.instanceId
  const [me, pub, existing] = await Promise.all([api.me.get(), api.keys.publicKey({ref}), api.keys.list({ref})])
  // Above a deleted key's version too: the API refuses those, so a replay cannot revive it.
  const previous = [...existing.keys, ...(existing.deleted ?? [])].filter((k) => k.name === opts.name).map((k) => k.version)
  const version = Math.max(0, ...previous) + 1
  const plaintext = Buffer.from(opts.key, 'utf8')
  try {
    const sealed = await sealKey({
      publicKey: decodePublicKey(pub.public_key),
      kid: pub.kid,
      aad: encodeByokAad({userId: me.id, instanceId: opts.instanceId, keyName: opts.name, baseUrl: opts.baseUrl ?? '', version}),
      plaintext,
    })
    const body = {kid: pub.kid, ...sealed, version, fingerprint: keyFingerprint(plaintext), ...(opts.baseUrl ? {base_url: opts.baseUrl} : {})}
    return await api.keys.put({ref, name: opts.name, body})
  } finally {
    plaintext.fill(0)
  }
}
