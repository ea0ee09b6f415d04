import type {AgentTelegramChannel} from '../../../contract/channel-wire.js'
import type {AgentContext} from '../../context.js'
import {AgentError} from '../../router.js'
import {TelegramApiError, withBot} from './bot-api.js'
import type {TelegramFeature} from './feature.js'

/**
 * Installs the channel: the token must open here (the AAD binds user, instance, "telegram", the
 * Bot API server and the version), must be the bot the user saw (getMe), and Telegram must accept
 * the webhook. Only then is it stored, still sealed. The webhook secret is used once and not kept.
 */
export async function installChannel(agent: AgentContext, feature: TelegramFeature, channel: AgentTelegramChannel): Promise<{bot_username: string; webhook: true}> {
  const current = await feature.state.config()
  if (current && current.version > channel.version) throw AgentError.conflict('This instance holds a newer version of this channel.')
  if (channel.kid !== agent.keys.kid) throw AgentError.badRequest('The sealed token does not open here.')
  try {
    await withBot(agent, channel, async (api) => {
      const me = await api.call<{id: number; username?: string}>('getMe', {})
      if (me.id !== channel.bot_id) throw new TelegramApiError(409, 'the token belongs to another bot than the one checked')
      await api.call('setWebhook', {url: channel.webhook_url, secret_token: channel.webhook_secret, allowed_updates: ['message'], drop_pending_updates: true})
    })
  } catch (error) {
    if (error instanceof TelegramApiError) {
      throw new AgentError(502, 'unavailable', 'Bad gateway', `Telegram refused: ${error.description}`, 'Check the token with @BotFather, then run `clawd channels add telegram` again.')
    }
    throw new AgentError(400, 'bad_request', 'Bad request', 'The sealed token does not open here.')
  }
  const {webhook_secret: _secret, webhook_url: _url, ...stored} = channel
  await feature.state.saveConfig(stored)
  agent.log('info', 'telegram channel stored', {version: channel.version})
  return {bot_username: channel.bot_username, webhook: true}
}

/** Deletes the webhook at Telegram (best effort: the API forgets the secret anyway) and the state. */
export async function removeChannel(agent: AgentContext, feature: TelegramFeature): Promise<boolean> {
  const channel = await feature.state.config()
  if (channel) {
    await withBot(agent, channel, (api) => api.call('deleteWebhook', {})).catch((error: Error) =>
      agent.log('warn', 'telegram: could not delete the webhook', {error: error.message}),
    )
  }
  return feature.state.remove()
}

export async function tellApproved(agent: AgentContext, feature: TelegramFeature, chatId: string): Promise<void> {
  const channel = await feature.state.config()
  if (!channel) return
  await withBot(agent, channel, (api) => api.call('sendMessage', {chat_id: chatId, text: 'You are paired: the agent will answer your messages now.'})).catch((error: Error) =>
    agent.log('warn', 'telegram: could not confirm the pairing', {error: error.message}),
  )
}
