/**
 * The channel shapes the agent needs at run time, without zod (the agent must not load it; see
 * src/contract/agent.ts). src/contract/channels.ts re-exports all of this next to its schemas.
 */
/**
 * Where Telegram posts a channel's updates. The instance id in the path is not a credential: the
 * secret header is, and it must be the secret of this very instance's channel.
 */
export const TELEGRAM_WEBHOOK_ROUTE = '/v1/channels/telegram/:instance/webhook'
export const telegramWebhookPath = (instanceId: string) => `/v1/channels/telegram/${encodeURIComponent(instanceId)}/webhook`
/** Telegram sends the webhook's `secret_token` back in this header with every update. */
export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token'
export const TELEGRAM_DEFAULT_API_URL = 'https://api.telegram.org'
/** Telegram's limit on one message's text (UTF-16 code units after entity parsing). */
export const TELEGRAM_MAX_MESSAGE_CHARS = 4096
/** How long an unknown sender's pairing code stays valid (OpenClaw: one hour). */
export const PAIRING_CODE_TTL_MS = 60 * 60 * 1000

/** A Telegram bot's username. */
export const TELEGRAM_BOT_USERNAME_PATTERN = /^[A-Za-z0-9_]{3,64}$/
/** A pairing code as the bot sends it: 8 letters and digits, without the look-alikes I, O, 0 and 1. */
export const PAIRING_CODE_PATTERN = /^[A-HJ-NP-Z2-9]{8}$/

export const DM_POLICIES = ['pairing', 'allowlist', 'open'] as const
export type DmPolicy = (typeof DM_POLICIES)[number]

/**
 * Server → agent wire (plain types: the agent does not load zod).
 * PUT /channels/telegram: the sealed token, the AAD the API rebuilt, and the webhook to register.
 */
export interface AgentTelegramChannel {
  kid: string
  enc: string
  ct: string
  /** base64url of encodeByokAad({..., keyName: 'telegram', baseUrl: api_url ?? '', kind: 'channel'}). */
  aad: string
  version: number
  api_url: string
  bot_id: number
  bot_username: string
  dm_policy: DmPolicy
  allow_from: string[]
  /** Where Telegram should POST updates, and the secret it must send back. */
  webhook_url: string
  webhook_secret: string
}

/** POST /channels/telegram/updates: one update, the model to answer with, and the quota verdict. */
export interface AgentTelegramDelivery {
  update: {update_id: number} & Record<string, unknown>
  model: string
  /** Whether this message was counted against the daily quota (false: it is spent). */
  quota: {counted: boolean; resets_at: string}
  /** The tools this message may use, decided by the API from the plan and the tool policy; empty: chat only. */
  allowed_tools?: string[]
}

/** What the agent did with an update; the API refunds the quota when nothing reached the model. */
export const AGENT_TELEGRAM_OUTCOMES = ['answering', 'pairing', 'duplicate', 'ignored', 'refused', 'quota_notice', 'quota_silent'] as const
export type AgentTelegramOutcome = (typeof AGENT_TELEGRAM_OUTCOMES)[number]
