import type {FastifyInstance} from 'fastify'
import {type AgentTelegramChannel, TELEGRAM_DEFAULT_API_URL, telegramWebhookPath} from '../../contract/channels.js'
import {agentApi, api} from '../../contract/routes/index.js'
import {encodeByokAad} from '../../crypto/byok-aad.js'
import {problemDetail} from '../../runtime/agent-client.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {agentStorageFailure} from '../instances/agent-storage.js'
import {checkOutboundUrl} from '../outbound.js'
import {serveRoutes} from '../serve.js'
import {allowChannelEgress, restoreChannelEgress, revokeChannelEgress} from './egress.js'
import {deleteChannel, findChannel, listChannels, upsertChannel} from './repo.js'
import {newWebhookSecret, webhookSecretHash} from './webhook-secret.js'
import {telegramWebhookRoute} from './webhook.js'

/**
 * Channels (issue 17): each channel's egress allowance, Telegram's webhook, and the owner's side:
 * add (the token arrives sealed, the instance checks it and registers the webhook), list, remove,
 * and pairing decisions. Another user's instance does not exist here (404), as everywhere.
 */
export async function channelRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await restoreChannelEgress(ctx)
  await telegramWebhookRoute(app, ctx)
  const serve = serveRoutes(app, ctx)
  const manager = ctx.instances
  const kind = 'telegram' as const
  /** The instance and its channel, or 404 for either. */
  const channelOf = async (userId: string, ref: string) => {
    const row = await manager.owned(userId, ref)
    const channel = await ctx.db.asUser(userId, (q) => findChannel(q, row.id, kind))
    if (!channel) throw ApiError.notFound('channel', `Add one with \`clawd channels add ${kind}\`.`)
    return {row, channel}
  }

  serve(api.channels.list, async (req) => {
    const row = await manager.owned(req.auth!.userId, req.params.ref)
    return {channels: await ctx.db.asUser(req.auth!.userId, (q) => listChannels(q, row.id))}
  })

  // One literal route per channel kind (only Telegram today), so a kind is never a path parameter.
  serve(api.channels.addTelegram, async (req) => {
    const userId = req.auth!.userId
    const body = req.body
    const row = await manager.owned(userId, req.params.ref)
    if (body.api_url) {
      const verdict = await checkOutboundUrl(body.api_url, {allowPrivate: ctx.config.allowPrivateEgress})
      if (!verdict.allowed) throw ApiError.forbidden(`The Bot API URL is refused: ${verdict.reason}, which an instance must not reach.`, 'Use your Bot API server’s public or private-network address.')
    }
    if (!row.kid || body.kid !== row.kid) {
      throw ApiError.conflict('The token was sealed to a public key this instance does not have (unknown kid).', 'Run `clawd channels add telegram` again.')
    }
    const previous = await ctx.db.asUser(userId, (q) => findChannel(q, row.id, kind))
    if (previous && body.version <= previous.version) {
      throw ApiError.conflict(`Version ${body.version} is not newer than the stored version ${previous.version}; an old ciphertext cannot be replayed.`, 'Run `clawd channels add telegram` again.')
    }
    // The AAD from our records, as for BYOK keys, marked as a channel credential: a provider key's
    // ciphertext cannot be posted here, nor this one as a key.
    const aad = encodeByokAad({userId, instanceId: row.id, keyName: kind, baseUrl: body.api_url ?? '', version: body.version, kind: 'channel'})
    const secret = newWebhookSecret()
    const upload: AgentTelegramChannel = {
      kid: body.kid,
      enc: body.enc,
      ct: body.ct,
      aad: Buffer.from(aad).toString('base64url'),
      version: body.version,
      api_url: body.api_url ?? TELEGRAM_DEFAULT_API_URL,
      bot_id: body.bot.id,
      bot_username: body.bot.username,
      dm_policy: body.dm_policy,
      allow_from: body.allow_from,
      webhook_url: `${(ctx.config.publicUrl ?? '').replace(/\/+$/, '')}${telegramWebhookPath(row.id)}`,
      webhook_secret: secret,
    }
    // The instance reaches the new Bot API server (getMe, setWebhook) during the upload; the old
    // one stays reachable until the new channel is in place, and is all that stays if it fails.
    const newApi = body.api_url ?? null
    const restore = () => (previous ? allowChannelEgress(ctx, row.id, previous.api_url) : revokeChannelEgress(ctx, row.id))
    allowChannelEgress(ctx, row.id, newApi, ...(previous ? [previous.api_url] : []))
    const res = await manager.callAgent(userId, row.id, agentApi.putTelegram, {body: upload}).catch((error: unknown) => {
      restore()
      throw error
    })
    if (res.status !== 200) {
      restore()
      if (res.status === 400) {
        throw ApiError.validation('The sealed token does not open for this instance, channel and version: it was made for somewhere else or altered.', 'Run `clawd channels add telegram` again for this instance.')
      }
      if (res.status === 409) throw ApiError.conflict(problemDetail(res.body) ?? 'The instance holds a newer version of this channel.', 'Run `clawd channels add telegram` again.')
      if (res.status === 502) throw ApiError.unavailable(problemDetail(res.body) ?? 'Telegram refused the webhook.', 'Check the token with @BotFather and try again.')
      throw agentStorageFailure(res.status, 'the channel')
    }
    const saved = await ctx.db.asUser(userId, (q) =>
      upsertChannel(q, {
        instanceId: row.id,
        userId,
        kind,
        botId: body.bot.id,
        botUsername: body.bot.username,
        fingerprint: body.fingerprint,
        dmPolicy: body.dm_policy,
        allowFrom: body.allow_from,
        apiUrl: body.api_url ?? null,
        version: body.version,
        kid: body.kid,
        enc: body.enc,
        ct: body.ct,
        secretHash: webhookSecretHash(ctx.secrets.tokenPepper, secret),
      }),
    )
    if (!saved) throw ApiError.conflict('A newer version of this channel was stored meanwhile.', 'Run `clawd channels add telegram` again.')
    allowChannelEgress(ctx, row.id, newApi)
    req.log.info({instance: row.id, channel: kind, version: body.version}, 'channel added')
    return saved
  })

  serve(api.channels.removeTelegram, async (req) => {
    const userId = req.auth!.userId
    const {row, channel} = await channelOf(userId, req.params.ref)
    // The secret's hash goes first, so no update is accepted once removal has begun.
    await ctx.db.asUser(userId, (q) => deleteChannel(q, row.id, channel.kind))
    const res = await manager.callAgent(userId, row.id, agentApi.deleteTelegram).catch(() => ({status: 503}))
    revokeChannelEgress(ctx, row.id)
    if (res.status !== 200 && res.status !== 404) req.log.warn({instance: row.id, status: res.status}, 'the instance could not forget its channel')
    return {kind: channel.kind, removed: true as const}
  })

  serve(api.channels.pairing, async (req) => {
    const userId = req.auth!.userId
    const {row} = await channelOf(userId, req.params.ref)
    const res = await manager.callAgent(userId, row.id, agentApi.telegramPairing)
    if (!res.ok) throw ApiError.unavailable('The instance could not list its pairing requests.', 'Try again.')
    return res.body
  })

  for (const decision of ['approve', 'deny'] as const) {
    serve(decision === 'approve' ? api.channels.approvePairing : api.channels.denyPairing, async (req) => {
      const userId = req.auth!.userId
      const {code} = req.body
      const {row, channel} = await channelOf(userId, req.params.ref)
      const res = await manager.callAgent(userId, row.id, decision === 'approve' ? agentApi.approvePairing : agentApi.denyPairing, {params: {code}})
      if (res.status === 404) throw ApiError.notFound('pairing code', 'Codes expire after an hour; see the waiting ones with `clawd channels pairing list`.')
      if (!res.ok) throw ApiError.unavailable('The instance could not record the decision.', 'Try again.')
      req.log.info({instance: row.id, channel: channel.kind, decision}, 'pairing decided')
      return res.body
    })
  }
}
