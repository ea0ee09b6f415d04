import {z} from 'zod'
import {DM_POLICIES, PAIRING_CODE_PATTERN, TELEGRAM_BOT_USERNAME_PATTERN} from './channel-wire.js'
import {BASE64URL_PATTERN} from './core.js'
import {baseUrlSchema, fingerprintSchema, kidSchema, keyVersionSchema} from './keys.js'

export * from './channel-wire.js'

/**
 * Channels (issue 17): other ways in to the same agent, Telegram first. The bot token is sealed on
 * the user's machine to the instance's public key exactly like a BYOK key (src/crypto/hpke.ts,
 * with the AAD of src/crypto/byok-aad.ts marked `kind: 'channel'`), so no response, row or log
 * of the API ever holds it. The routes are in src/contract/routes/channels.ts; Telegram's webhook
 * is authenticated by TELEGRAM_SECRET_HEADER only (the channel is found by the secret's hash, and
 * must be this instance's).
 */
export const channelKindSchema = z.enum(['telegram'])
export type ChannelKind = z.infer<typeof channelKindSchema>
/**
 * Who may talk to the agent in private chats (OpenClaw's DM policy): `pairing` (default) answers
 * an unknown sender with a code the owner approves; `allowlist` only the listed Telegram user ids;
 * `open` anyone (the CLI asks for --yes). In groups the bot answers only when mentioned.
 */
export const dmPolicySchema = z.enum(DM_POLICIES)

/** A Telegram user id as a decimal string (they exceed 2^31; JSON numbers are fine up to 2^53). */
export const telegramUserIdSchema = z.string().regex(/^[1-9][0-9]{0,19}$/, 'must be a numeric Telegram user id')
/** The largest sealed bot token: tokens are ~46 characters; room for self-hosted variants. */
const MAX_TOKEN_BYTES = 256
const b64url = (min: number, max: number) => z.string().min(min).max(max).regex(BASE64URL_PATTERN, 'must be unpadded base64url')

export const telegramBotSchema = z.strictObject({
  id: z.number().int().positive(),
  username: z.string().regex(TELEGRAM_BOT_USERNAME_PATTERN),
})

/** PUT /v1/instances/:ref/channels/telegram — the token only as HPKE ciphertext. */
export const addTelegramChannelRequestSchema = z.strictObject({
  kid: kidSchema,
  enc: b64url(43, 43),
  ct: b64url(22, Math.ceil(((MAX_TOKEN_BYTES + 16) * 4) / 3)),
  version: keyVersionSchema,
  fingerprint: fingerprintSchema,
  /** What getMe answered on the user's machine; shown by `channels list`. */
  bot: telegramBotSchema,
  dm_policy: dmPolicySchema.default('pairing'),
  allow_from: z.array(telegramUserIdSchema).max(200).default([]),
  /** A self-hosted Bot API server; bound into the AAD, so the token cannot be sent elsewhere. */
  api_url: baseUrlSchema.optional(),
})

export const channelSchema = z.object({
  kind: channelKindSchema,
  bot_id: z.number().int(),
  bot_username: z.string(),
  fingerprint: fingerprintSchema,
  dm_policy: dmPolicySchema,
  allow_from: z.array(z.string()),
  api_url: z.string().nullable(),
  version: keyVersionSchema,
  created_at: z.string(),
  updated_at: z.string(),
})
export type Channel = z.infer<typeof channelSchema>
export const listChannelsResponseSchema = z.object({channels: z.array(channelSchema)})
export const removeChannelResponseSchema = z.object({kind: channelKindSchema, removed: z.literal(true)})

/** Pairing codes: 8 characters from an alphabet without look-alikes (as OpenClaw's). */
export const pairingCodeSchema = z.string().regex(PAIRING_CODE_PATTERN, 'is 8 letters and digits, as the bot sent it')
/** The code in the body (upper-cased: people type what they read), not the path. */
export const pairingDecisionRequestSchema = z.strictObject({code: z.string().max(32).transform((c) => c.trim().toUpperCase()).pipe(pairingCodeSchema)})
export const pairingRequestSchema = z.object({
  code: z.string(),
  user_id: z.string(),
  username: z.string().nullable(),
  name: z.string().nullable(),
  created_at: z.string(),
  expires_at: z.string(),
})
export const listPairingResponseSchema = z.object({requests: z.array(pairingRequestSchema)})
export const pairingDecisionSchema = z.object({code: z.string(), user_id: z.string(), approved: z.boolean()})
export type PairingDecision = z.infer<typeof pairingDecisionSchema>

/**
 * The part of a Telegram Update the API reads (https://core.telegram.org/bots/api#update): enough
 * to route and bound it. Loose, because Telegram adds fields; the agent gets the update as sent.
 */
export const telegramUpdateSchema = z.looseObject({
  update_id: z.number().int().nonnegative(),
})
/** What the webhook answers Telegram once the instance has the update. */
export const telegramWebhookOkSchema = z.object({ok: z.literal(true)})

