import type {FastifyInstance, FastifyRequest} from 'fastify'
import {type AgentTelegramDelivery, type AgentTelegramOutcome, TELEGRAM_SECRET_HEADER} from '../../contract/channels.js'
import {agentApi, api} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {toolPolicyOf, touchInstance} from '../instances/repo.js'
import {effectiveTools} from '../instances/tool-policy.js'
import {countMessage, messageQuotaExceeded} from '../quotas/messages.js'
import {planOf} from '../quotas/plans.js'
import {serveRoutes} from '../serve.js'
import {refundMessage} from './quota.js'
import {channelBySecretHash} from './repo.js'
import {hashOfPresented, sameHash} from './webhook-secret.js'

/**
 * Telegram's updates, the only unauthenticated way to an instance. The secret header is what
 * authenticates: its HMAC finds the channel (compared again in constant time), which must be the
 * one of the instance named in the path, so a wrong, missing or other instance's secret gets a 401 before anything is resumed or forwarded. Then
 * the instance is resumed if paused, the message counted against the owner's daily quota, and the
 * update handed over; the agent decides at once and answers in the background, so Telegram gets
 * its 200 without waiting for the model (and does not redeliver). Message text is never logged.
 */
export async function telegramWebhookRoute(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const channels = new WeakMap<FastifyRequest, {instance_id: string; user_id: string}>()
  // The secret before the body: without it, nothing about the request is looked at.
  const secretHook = async (req: FastifyRequest) => {
    const hash = hashOfPresented(ctx.secrets.tokenPepper, req.headers[TELEGRAM_SECRET_HEADER])
    const channel = hash ? await ctx.db.asSystem((q) => channelBySecretHash(q, hash)) : undefined
    // Another instance's (valid) secret is as wrong here as a made-up one.
    if (!hash || !channel || !sameHash(channel.webhook_secret_hash, hash) || channel.instance_id !== (req.params as {instance: string}).instance) {
      throw ApiError.unauthenticated('Missing or wrong webhook secret.', 'Only Telegram, with the secret set by `clawd channels add telegram`, may post here.')
    }
    channels.set(req, channel)
  }
  serveRoutes(app)(api.channels.telegramWebhook, async (req) => {
    const update: AgentTelegramDelivery['update'] = req.body
    const {user_id: userId, instance_id: instanceId} = channels.get(req)!

    const row = await ctx.instances.ensureRunning(userId, instanceId)
    const checked = await ctx.db.asUser(userId, async (q) => {
      const plan = await planOf(q, ctx.config, userId)
      const counted = await countMessage(q, userId, plan)
      await touchInstance(q, row.id)
      // The same decision as a message from the CLI: the plan, then the instance's tool policy.
      return {plan, counted, tools: effectiveTools(plan, toolPolicyOf(row))}
    })
    const resetsAt = checked.counted ? '' : ((await messageQuotaExceeded(ctx.db, checked.plan)).extra.retry_at ?? '')
    const delivery: AgentTelegramDelivery = {update, model: row.model, quota: {counted: checked.counted, resets_at: resetsAt}, allowed_tools: [...checked.tools]}
    let outcome: AgentTelegramOutcome | undefined
    try {
      const res = await ctx.instances.agents.call(await ctx.instances.connect(row.id), agentApi.telegramUpdate, {body: delivery})
      if (!res.ok) throw new Error(`the agent answered ${res.status}`)
      outcome = res.body.outcome
    } catch (error) {
      req.log.warn({instance: row.id, error: (error as Error).message}, 'telegram update not delivered')
      // Telegram redelivers on a non-2xx answer; the agent's update_id check makes that safe.
      throw ApiError.unavailable('The instance could not take the update.', 'Telegram will redeliver it.')
    } finally {
      if (checked.counted && outcome !== 'answering') await ctx.db.asUser(userId, (q) => refundMessage(q, userId)).catch(() => {})
    }
    req.log.info({instance: row.id, update_id: update.update_id, outcome}, 'telegram update')
    return {ok: true as const}
  }, {hooks: secretHook})
}

