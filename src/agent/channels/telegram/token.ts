import type {AgentContext} from '../../context.js'
import type {StoredTelegramChannel} from './state.js'

/**
 * Opens the sealed bot token for one piece of work and wipes it after, like SealedKeys.withKey:
 * the same HPKE open, with the AAD the API rebuilt (kind "channel"), checked when it was stored.
 */
export async function withBotToken<T>(agent: AgentContext, sealed: Pick<StoredTelegramChannel, 'kid' | 'enc' | 'ct' | 'aad'>, fn: (token: string) => Promise<T>): Promise<T> {
  const {openKey} = await import('../../../crypto/hpke.js')
  const plaintext = await openKey({privateKey: agent.keys.privateKey, kid: sealed.kid, aad: Buffer.from(sealed.aad, 'base64url'), enc: sealed.enc, ct: sealed.ct})
  try {
    return await fn(Buffer.from(plaintext).toString('utf8'))
  } finally {
    plaintext.fill(0)
  }
}
