import {z} from 'zod'
import {addTelegramChannelRequestSchema, channelSchema, listChannelsResponseSchema, listPairingResponseSchema, pairingDecisionRequestSchema, pairingDecisionSchema, removeChannelResponseSchema, TELEGRAM_WEBHOOK_ROUTE, telegramUpdateSchema, telegramWebhookOkSchema} from '../channels.js'
import {ALWAYS, defineRoute, FOUND} from './define.js'
import {instanceParams} from './instances.js'

const telegram = '/v1/instances/:ref/channels/telegram'
const one = {auth: 'bearer', params: instanceParams} as const
const pairingDecision = (decision: 'approve' | 'deny') =>
  defineRoute({
    method: 'POST', path: `${telegram}/pairing/${decision}`, summary: `${decision === 'approve' ? 'Approve' : 'Deny'} a Telegram user who asked to talk to the agent.`, ...one,
    body: pairingDecisionRequestSchema, responses: {200: pairingDecisionSchema}, errors: [...FOUND, 'validation_failed'],
  })

/** Channels (src/contract/channels.ts): Telegram, with the bot token sealed like a BYOK key. */
export const channelsApi = {
  list: defineRoute({method: 'GET', path: '/v1/instances/:ref/channels', summary: 'The instance’s channels (never a token).', ...one, responses: {200: listChannelsResponseSchema}, errors: FOUND}),
  addTelegram: defineRoute({
    method: 'PUT', path: telegram, summary: 'Add or replace the Telegram channel; the instance checks the token and sets the webhook.', ...one, body: addTelegramChannelRequestSchema,
    responses: {200: channelSchema}, errors: [...FOUND, 'validation_failed', 'conflict', 'forbidden'],
  }),
  removeTelegram: defineRoute({method: 'DELETE', path: telegram, summary: 'Remove the Telegram channel and its webhook.', ...one, responses: {200: removeChannelResponseSchema}, errors: FOUND}),
  pairing: defineRoute({method: 'GET', path: `${telegram}/pairing`, summary: 'Telegram users waiting for a pairing decision.', ...one, responses: {200: listPairingResponseSchema}, errors: FOUND}),
  approvePairing: pairingDecision('approve'),
  denyPairing: pairingDecision('deny'),
  telegramWebhook: defineRoute({
    method: 'POST', path: TELEGRAM_WEBHOOK_ROUTE, summary: 'Telegram’s updates for an instance’s bot (only Telegram has the webhook secret).', auth: 'webhook-secret',
    params: z.object({instance: z.string()}), body: telegramUpdateSchema, responses: {200: telegramWebhookOkSchema}, errors: [...ALWAYS, 'unauthenticated', 'validation_failed'],
  }),
} as const
