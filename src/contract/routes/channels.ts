import {
  addTelegramChannelRequestSchema,
  channelSchema,
  listChannelsResponseSchema,
  listPairingResponseSchema,
  pairingDecisionRequestSchema,
  pairingDecisionSchema,
  removeChannelResponseSchema,
  TELEGRAM_WEBHOOK_ROUTE,
  telegramUpdateSchema,
  telegramWebhookOkSchema,
} from '../channels.js'
import {z} from 'zod'
import {ALWAYS, defineRoute, SIGNED_IN} from './define.js'
import {instanceParams} from './instances.js'

const telegram = '/v1/instances/:ref/channels/telegram'
const pairingDecision = (decision: 'approve' | 'deny') =>
  defineRoute({
    method: 'POST',
    path: `${telegram}/pairing/${decision}`,
    summary: `${decision === 'approve' ? 'Approve' : 'Deny'} a Telegram user who asked to talk to the agent.`,
    auth: 'bearer',
    params: instanceParams,
    body: pairingDecisionRequestSchema,
    responses: {200: pairingDecisionSchema},
    errors: [...SIGNED_IN, 'validation_failed', 'not_found'],
  })

/** Channels (src/contract/channels.ts): Telegram, with the bot token sealed like a BYOK key. */
export const channelsApi = {
  list: defineRoute({
    method: 'GET',
    path: '/v1/instances/:ref/channels',
    summary: 'The instance’s channels (never a token).',
    auth: 'bearer',
    params: instanceParams,
    responses: {200: listChannelsResponseSchema},
    errors: [...SIGNED_IN, 'not_found'],
  }),
  addTelegram: defineRoute({
    method: 'PUT',
    path: telegram,
    summary: 'Add or replace the Telegram channel; the instance checks the token and sets the webhook.',
    auth: 'bearer',
    params: instanceParams,
    body: addTelegramChannelRequestSchema,
    responses: {200: channelSchema},
    errors: [...SIGNED_IN, 'validation_failed', 'not_found', 'conflict', 'forbidden'],
  }),
  removeTelegram: defineRoute({
    method: 'DELETE',
    path: telegram,
    summary: 'Remove the Telegram channel (and its webhook).',
    auth: 'bearer',
    params: instanceParams,
    responses: {200: removeChannelResponseSchema},
    errors: [...SIGNED_IN, 'not_found'],
  }),
  pairing: defineRoute({
    method: 'GET',
    path: `${telegram}/pairing`,
    summary: 'Telegram users waiting for a pairing decision.',
    auth: 'bearer',
    params: instanceParams,
    responses: {200: listPairingResponseSchema},
    errors: [...SIGNED_IN, 'not_found'],
  }),
  approvePairing: pairingDecision('approve'),
  denyPairing: pairingDecision('deny'),
  telegramWebhook: defineRoute({
    method: 'POST',
    path: TELEGRAM_WEBHOOK_ROUTE,
    summary: 'Telegram’s updates for an instance’s bot (Telegram only: it sends the webhook secret).',
    auth: 'webhook-secret',
    params: z.object({instance: z.string()}),
    body: telegramUpdateSchema,
    responses: {200: telegramWebhookOkSchema},
    errors: [...ALWAYS, 'unauthenticated', 'validation_failed'],
  }),
} as const
