import {TOOL_NAMES, type ToolName} from '../../tools/types.js'
import {PAIRING_CODE_TTL_MS, type AgentTelegramDelivery, type AgentTelegramOutcome} from '../../../contract/channel-wire.js'
import type {AgentContext} from '../../context.js'
import {withBot} from './bot-api.js'
import type {TelegramFeature} from './feature.js'
import {newPairingCode} from './pairing-code.js'
import {readUpdate} from './policy.js'
import {answerChat} from './reply.js'

/**
 * One update from the webhook, decided at once (the API answers Telegram right after): a
 * redelivered update_id is dropped; an unknown sender in a private chat gets a pairing code and
 * nothing reaches the model; a known one gets an answer, worked out in the background. Past the
 * daily quota a chat is told once when it resets, then nothing until then.
 */
export async function deliverUpdate(agent: AgentContext, feature: TelegramFeature, delivery: AgentTelegramDelivery): Promise<AgentTelegramOutcome> {
  const {state} = feature
  const channel = await state.config()
  if (!channel) return 'ignored'
  if (!(await state.firstDelivery(delivery.update.update_id))) return 'duplicate'
  const incoming = readUpdate(delivery.update, {id: channel.bot_id, username: channel.bot_username})
  if (incoming.kind === 'ignore') return 'ignored'
  const send = (text: string) => withBot(agent, channel, (api) => api.call('sendMessage', {chat_id: incoming.chatId, text}))

  if (!(await state.isApproved(incoming.sender.user_id, channel))) {
    // Strangers are paired in private only: a group never sees codes, and the owner's allowlist is final.
    if (incoming.chatType !== 'private' || channel.dm_policy !== 'pairing') return 'refused'
    const request = await state.requestPairing({user_id: incoming.sender.user_id, chat_id: incoming.chatId, username: incoming.sender.username, name: incoming.sender.name}, Date.now(), PAIRING_CODE_TTL_MS, newPairingCode)
    if (!request) return 'refused'
    await send(
      `This agent answers only people its owner has approved. Your pairing code is ${request.code} (valid for one hour). ` +
        `Ask the owner to run: clawd channels pairing approve ${request.code}`,
    ).catch((error: Error) => agent.log('warn', 'telegram: could not send a pairing code', {error: error.message}))
    return 'pairing'
  }

  if (!delivery.quota.counted) {
    if (!(await state.firstQuotaNotice(incoming.chatId, delivery.quota.resets_at))) return 'quota_silent'
    await send(`This agent has used today’s messages on its plan. It will answer again after ${delivery.quota.resets_at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}.`).catch(
      (error: Error) => agent.log('warn', 'telegram: could not send the quota notice', {error: error.message}),
    )
    return 'quota_notice'
  }

  const work = withBot(agent, channel, (api) =>
    answerChat(agent, state, api, {
      chatId: incoming.chatId,
      chatType: incoming.chatType,
      chatTitle: incoming.chatTitle,
      text: incoming.text,
      model: delivery.model,
      allowedTools: knownTools(delivery.allowed_tools),
    }),
  ).catch((error: Error) => agent.log('error', 'telegram: answering failed', {error: error.message}))
  feature.inFlight.add(work)
  void work.finally(() => feature.inFlight.delete(work))
  return 'answering'
}

/** Only names the agent has; anything else in the list is ignored (the API sends names it knows). */
function knownTools(names: unknown): ToolName[] {
  return Array.isArray(names) ? names.filter((n): n is ToolName => typeof n === 'string' && (TOOL_NAMES as readonly string[]).includes(n)) : []
}
