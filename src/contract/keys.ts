import {z} from 'zod'
import {BASE64URL_PATTERN, KEY_NAME_PATTERN, KNOWN_PROVIDERS, providerForKeyName} from './core.js'

/**
 * BYOK wire shapes (DESIGN §1, issue 4). The key itself never appears here: the CLI uploads an
 * HPKE ciphertext (`enc`, `ct`) sealed to the instance's public key, and every response describes
 * keys by name, fingerprint and dates only.
 */

/** The HPKE suite, as the API announces it next to the public key: KEM / KDF / AEAD. */
export const BYOK_ALG = 'X25519-HKDF-SHA256/HKDF-SHA256/AES-256-GCM'

/** Providers the agent speaks (src/contract/core.ts names them). */
export {providerForKeyName} from './core.js'
export const providerSchema = z.enum(KNOWN_PROVIDERS)

/**
 * A key's name: a known provider, or a custom name for another OpenAI-compatible endpoint
 * (`clawd keys set openrouter --base-url …`, then `--model openrouter/…`); KEY_NAME_PATTERN says which.
 */
export const keyNameSchema = z
  .string()
  .regex(KEY_NAME_PATTERN, 'use 2–32 lowercase letters, digits and hyphens, starting with a letter')
export type KeyName = z.infer<typeof keyNameSchema>

/** `openai-compatible` and custom names have no default endpoint, so they need `base_url`. */
export function keyNeedsBaseUrl(name: KeyName): boolean {
  return providerForKeyName(name) === 'openai-compatible'
}

/** The largest key the CLI accepts: provider keys are a few hundred bytes at most. */
export const MAX_KEY_BYTES = 4096
const TAG_BYTES = 16

/** Unpadded base64url of exactly `min`..`max` bytes. */
function base64url(minBytes: number, maxBytes: number) {
  const chars = (bytes: number) => Math.ceil((bytes * 4) / 3)
  return z
    .string()
    .min(chars(minBytes))
    .max(chars(maxBytes))
    .regex(BASE64URL_PATTERN, 'must be unpadded base64url')
    .refine((s) => s.length % 4 !== 1, 'must be unpadded base64url')
}

/** First 16 hex characters of the SHA-256 of the raw public key (src/crypto/hpke.ts kidFor). */
export const kidSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 lowercase hex characters')
/** First 8 hex characters of the SHA-256 of the key, computed by the CLI before sealing. */
export const fingerprintSchema = z.string().regex(/^[0-9a-f]{8}$/, 'must be 8 lowercase hex characters')
/** A positive integer that must grow with each upload, so an old ciphertext cannot be replayed. */
export const keyVersionSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)

/**
 * An OpenAI-compatible endpoint. No credentials in it: those belong in the sealed key. No
 * whitespace or control characters either: the URL parser would quietly drop or encode them, but
 * the string itself is stored, shown by `keys list` and bound into the AAD as written.
 */
export const baseUrlSchema = z
  .url({protocol: /^https?$/})
  .max(2048)
  .regex(/^[^\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/, 'must not contain spaces, line breaks or control characters')
  .refine((s) => {
    const u = URL.parse(s)
    return u !== null && u.username === '' && u.password === '' && u.hash === '' && !s.includes('#')
  }, 'must not contain a user name, password or #fragment')

/** GET /v1/instances/:id/public-key — served from the store, so it works while the instance is paused. */
export const instancePublicKeySchema = z.object({
  kid: kidSchema,
  /** Unpadded base64url of the raw 32-byte X25519 public key. */
  public_key: base64url(32, 32),
  alg: z.literal(BYOK_ALG),
})
export type InstancePublicKey = z.infer<typeof instancePublicKeySchema>

/** PUT /v1/instances/:id/keys/:name — the name is in the path and in the AAD, not in the body. */
export const keyUploadSchema = z.strictObject({
  kid: kidSchema,
  /** Unpadded base64url of HPKE's 32-byte encapsulated key. */
  enc: base64url(32, 32),
  /** Unpadded base64url of the AES-256-GCM ciphertext with its 16-byte tag. */
  ct: base64url(1 + TAG_BYTES, MAX_KEY_BYTES + TAG_BYTES),
  version: keyVersionSchema,
  fingerprint: fingerprintSchema,
  base_url: baseUrlSchema.optional(),
})

/** One key as `keys list` shows it. Never the ciphertext: nobody but the instance needs it. */
export const keyMetadataSchema = z.object({
  name: keyNameSchema,
  provider: providerSchema,
  fingerprint: fingerprintSchema,
  base_url: z.string().nullable(),
  version: keyVersionSchema,
  created_at: z.string(),
  updated_at: z.string(),
  last_used_at: z.string().nullable(),
})
export type KeyMetadata = z.infer<typeof keyMetadataSchema>

export const listKeysResponseSchema = z.object({
  keys: z.array(keyMetadataSchema),
  /**
   * Keys deleted and not set since, with the version they had: a new `keys set` seals a higher
   * one, since the API refuses any version at or below it (an old upload must not be replayed).
   */
  deleted: z.array(z.object({name: keyNameSchema, version: keyVersionSchema})).optional(),
})

/** DELETE /v1/instances/:id/keys/:name. */
export const deleteKeyResponseSchema = z.object({name: keyNameSchema, deleted: z.literal(true)})

/**
 * PUT /v1/instances/:id/keys/:name answers the stored key, plus `egress_refused` (HOST:PORT) when
 * the server's egress policy does not allow the key's endpoint: chats with it would be refused.
 */
export const putKeyResponseSchema = keyMetadataSchema.extend({egress_refused: z.string().optional()})
export type PutKeyResponse = z.infer<typeof putKeyResponseSchema>
