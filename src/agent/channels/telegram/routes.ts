import {
  DM_POLICIES,
  PAIRING_CODE_PATTERN,
  TELEGRAM_BOT_USERNAME_PATTERN,
  type AgentTelegramChannel,
  type AgentTelegramDelivery,
} from '../../../contract/channel-wire.js'
import {BASE64URL_PATTERN} from '../../../contract/core.js'
import {agentEndpoints} from '../../../contract/agent-endpoints.js'
import {AgentError, reply, route} from '../../router.js'
import {telegramFeature} from './feature.js'

/** The API checked the shapes with zod; the agent checks them again at its boundary, with the contract's zod-free patterns. */
function checkChannel(body: unknown): AgentTelegramChannel {
  const b = body as Partial<AgentTelegramChannel> | null
  const ok =
    b &&
    typeof b.kid === 'string' &&
    [b.enc, b.ct, b.aad].every((v) => typeof v === 'string' && v.length > 0 && v.length < 4096 && BASE64URL_PATTERN.test(v)) &&
    Number.isSafeInteger(b.version) &&
    typeof b.api_url === 'string' &&
    /^https?:\/\//.test(b.api_url) &&
    Number.isSafeInteger(b.bot_id) &&
    typeof b.bot_username === 'string' &&
    TELEGRAM_BOT_USERNAME_PATTERN.test(b.bot_username) &&
    (DM_POLICIES as readonly unknown[]).includes(b.dm_policy) &&
    Array.isArray(b.allow_from) &&
    b.allow_from.every((id) => typeof id === 'string' && /^\d{1,20}$/.test(id)) &&
    typeof b.webhook_url === 'string' &&
    typeof b.webhook_secret === 'string' &&
    /^[A-Za-z0-9_-]{16,256}$/.test(b.webhook_secret)
  if (!ok) throw AgentError.badRequest('The channel upload is malformed.')
  return b as AgentTelegramChannel
}

function checkDelivery(body: unknown): AgentTelegramDelivery {
  const b = body as Partial<AgentTelegramDelivery> | null
  const ok =
    b &&
    b.update &&
    typeof b.update === 'object' &&
    Number.isSafeInteger(b.update.update_id) &&
    typeof b.model === 'string' &&
    b.quota &&
    typeof b.quota.counted === 'boolean' &&
    typeof b.quota.resets_at === 'string'
  if (!ok) throw AgentError.badRequest('The update is malformed.')
  return b as AgentTelegramDelivery
}

const lazy = () => import('./setup.js')

/**
 * PUT: checks the sealed token opens here, checks it with Telegram (getMe), registers the webhook
 * (setWebhook with the secret the API hashed), and stores the token still sealed.
 */
export const putTelegramRoute = route(agentEndpoints.putTelegram, async (call) => {
  const channel = checkChannel(await call.json(64 * 1024))
  return (await lazy()).installChannel(call.agent, telegramFeature(call.agent), channel)
})

export const deleteTelegramRoute = route(agentEndpoints.deleteTelegram, async (call) => {
  const removed = await (await lazy()).removeChannel(call.agent, telegramFeature(call.agent))
  if (!removed) throw AgentError.notFound('channel')
  return {kind: 'telegram', removed: true}
})

export const telegramUpdateRoute = route(agentEndpoints.telegramUpdate, async (call) => {
  const delivery = checkDelivery(await call.json(1024 * 1024))
  const {deliverUpdate} = await import('./deliver.js')
  return {outcome: await deliverUpdate(call.agent, telegramFeature(call.agent), delivery)}
})

export const telegramPairingListRoute = route(agentEndpoints.telegramPairing, async (call) => {
  const pending = await telegramFeature(call.agent).state.pending(Date.now())
  return {requests: pending.map(({chat_id: _chat, ...rest}) => rest)}
})

const decide = (approve: boolean) =>
  route(approve ? agentEndpoints.approvePairing : agentEndpoints.denyPairing, async (call) => {
    const code = call.params.code ?? ''
    if (!PAIRING_CODE_PATTERN.test(code)) throw AgentError.notFound('pairing code')
    const found = await telegramFeature(call.agent).state.decide(code, approve, Date.now())
    if (!found) return reply(404, {code: 'not_found'})
    call.agent.log('info', `telegram: pairing ${approve ? 'approved' : 'denied'}`)
    if (approve) await (await lazy()).tellApproved(call.agent, telegramFeature(call.agent), found.chat_id)
    return {code, user_id: found.user_id, approved: approve}
  })

export const telegramRoutes = [putTelegramRoute, deleteTelegramRoute, telegramUpdateRoute, telegramPairingListRoute, decide(true), decide(false)]
