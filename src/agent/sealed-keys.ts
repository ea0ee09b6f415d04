import type {AgentKeyUpload} from '../contract/agent-keys.js'
import type {AgentKeyPair} from './keypair.js'
import type {Vault} from './vault.js'

/**
 * BYOK keys inside the instance: stored still sealed (HPKE ciphertext + the AAD it was checked
 * against), in the vault, so on disk they are sealed twice. `withKey` is the only way to the
 * plaintext: it opens the key for one call and wipes it afterwards.
 */
const entry = (name: string) => `keys/${name}.json`

export type StoredKey = AgentKeyUpload

type Sealed = Pick<StoredKey, 'kid' | 'enc' | 'ct' | 'aad'>

async function open(pair: AgentKeyPair, k: Sealed): Promise<Uint8Array> {
  // Loaded on first use: an idle instance does not pay for HPKE.
  const {openKey} = await import('../crypto/hpke.js')
  return openKey({privateKey: pair.privateKey, kid: k.kid, aad: Buffer.from(k.aad, 'base64url'), enc: k.enc, ct: k.ct})
}

/** Runs `fn` with a sealed secret (a key, a channel's bot token) in clear; the buffer is zeroed when `fn` settles. */
export async function withOpened<T>(pair: AgentKeyPair, sealed: Sealed, fn: (plain: string) => Promise<T>): Promise<T> {
  const plaintext = await open(pair, sealed)
  try {
    return await fn(Buffer.from(plaintext).toString('utf8'))
  } finally {
    plaintext.fill(0)
  }
}

export class SealedKeys {
  constructor(
    private readonly vault: Vault,
    private readonly pair: AgentKeyPair,
  ) {}

  /** Checks the ciphertext opens here (and wipes the result), then stores it sealed. */
  async put(name: string, upload: StoredKey): Promise<'stored' | 'does_not_open' | 'stale'> {
    // An equal version is a retry of the same upload (the API may have died after this instance
    // stored it and before the database recorded it); only an older one is a replay.
    const current = await this.get(name)
    if (current && current.version > upload.version) return 'stale'
    if (upload.kid !== this.pair.kid) return 'does_not_open'
    try {
      const plaintext = await open(this.pair, upload)
      plaintext.fill(0)
    } catch {
      return 'does_not_open'
    }
    await this.vault.writeJson(entry(name), upload)
    return 'stored'
  }

  async get(name: string): Promise<StoredKey | undefined> {
    return this.vault.readJson<StoredKey>(entry(name))
  }

  async delete(name: string): Promise<boolean> {
    return this.vault.delete(entry(name))
  }

  async names(): Promise<string[]> {
    return (await this.vault.list('keys/')).map((n) => n.slice('keys/'.length, -'.json'.length))
  }

  /** Runs `fn` with the key in clear (see withOpened); undefined when there is no such key. */
  async withKey<T>(name: string, fn: (key: string, stored: StoredKey) => Promise<T>): Promise<T | undefined> {
    const stored = await this.get(name)
    return stored && withOpened(this.pair, stored, (key) => fn(key, stored))
  }
}
