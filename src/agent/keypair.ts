import type {InstancePublicKey} from '../contract/keys.js'
import type {Vault} from './vault.js'

/**
 * The instance's X25519 key pair, which BYOK keys are sealed to (HPKE, src/crypto/hpke.ts).
 * Made on first start; the private key exists on disk only inside the vault, encrypted under the
 * data key, so deleting the wrapped data key (crypto-shredding) makes it unrecoverable.
 */
export const KEYPAIR_ENTRY = 'agent/x25519.json'

export interface AgentKeyPair {
  /** First 16 hex characters of the SHA-256 of the raw public key. */
  kid: string
  /** Raw 32-byte public key. */
  publicKey: Buffer
  /** Raw 32-byte private key. Keep it in this process; never log or return it. */
  privateKey: Buffer
}

interface StoredKeyPair {
  v: 1
  kid: string
  public_key: string
  private_key: string
}

/** Loads the key pair from the vault, or makes and stores one on first start. */
export async function loadOrCreateKeyPair(vault: Vault): Promise<AgentKeyPair> {
  const stored = await vault.readJson<StoredKeyPair>(KEYPAIR_ENTRY)
  if (stored) {
    const publicKey = Buffer.from(stored.public_key, 'base64url')
    const privateKey = Buffer.from(stored.private_key, 'base64url')
    if (stored.v !== 1 || publicKey.length !== 32 || privateKey.length !== 32) throw new Error('the stored key pair is malformed')
    return {kid: stored.kid, publicKey, privateKey}
  }
  // node:crypto only: HPKE (@hpke/core) is loaded when a key is first opened, not for the key pair.
  const {generateKeyPair, kidFor} = await import('../crypto/x25519.js')
  const pair = generateKeyPair()
  const publicKey = Buffer.from(pair.publicKey)
  const privateKey = Buffer.from(pair.privateKey)
  pair.privateKey.fill(0)
  const kid = kidFor(publicKey)
  await vault.writeJson(KEYPAIR_ENTRY, {
    v: 1,
    kid,
    public_key: publicKey.toString('base64url'),
    private_key: privateKey.toString('base64url'),
  } satisfies StoredKeyPair)
  return {kid, publicKey, privateKey}
}

/**
 * What GET /pubkey answers: the public contract's fields the API stores. The API adds `alg` when it
 * serves them (the contract module loads zod, which the agent does not).
 */
export function publicKeyDocument(pair: AgentKeyPair): Pick<InstancePublicKey, 'kid' | 'public_key'> {
  return {kid: pair.kid, public_key: pair.publicKey.toString('base64url')}
}
