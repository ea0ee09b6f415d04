import type {FastifyInstance} from 'fastify'
import type {ServerContext} from '../context.js'
import {restoreChannelEgress} from './egress.js'
import {channelOwnerRoutes} from './routes.js'
import {telegramWebhookRoute} from './webhook.js'

/** Channels (issue 17): the owner's routes, Telegram's webhook, and each channel's egress allowance. */
export async function channelRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await restoreChannelEgress(ctx)
  await channelOwnerRoutes(app, ctx)
  await telegramWebhookRoute(app, ctx)
}
