import type {FastifyInstance} from 'fastify'
import type {AgentKeyUpload} from '../../contract/agent-keys.js'
import {BYOK_ALG, keyNeedsBaseUrl, providerForKeyName} from '../../contract/keys.js'
import {agentApi, api} from '../../contract/routes/index.js'
import {problemDetail} from '../../runtime/agent-client.js'
import {encodeByokAad} from '../../crypto/byok-aad.js'
import {allowMatcher} from '../../runtime/egress-proxy.js'
import type {ServerConfig} from '../config.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {agentStorageFailure} from '../instances/agent-storage.js'
import {deleteInstanceKey} from '../keys/delete.js'
import {listKeys, listTombstones, upsertKey, versionFloor} from '../keys/repo.js'
import {checkOutboundUrl} from '../outbound.js'
import {serveRoutes} from '../serve.js'

/**
 * BYOK keys. The API checks shape, kid and version, rebuilds the AAD from its own records, has the
 * instance open the ciphertext to prove it is good, and keeps only ciphertext (DESIGN §1).
 */
export async function keyRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const serve = serveRoutes(app, ctx)
  const manager = ctx.instances

  // Served from the store, so `keys set` works while the instance is paused.
  serve(api.keys.publicKey, async (req) => {
    const row = await manager.owned(req.auth!.userId, req.params.ref)
    if (!row.public_key || !row.kid) {
      throw ApiError.conflict(`Instance "${row.name}" has no key pair yet (it is ${row.state}).`, 'Wait until it is running: `clawd instance show`.', 'wrong_state')
    }
    return {kid: row.kid, public_key: row.public_key, alg: BYOK_ALG} as const
  })

  serve(api.keys.list, async (req) => {
    const row = await manager.owned(req.auth!.userId, req.params.ref)
    return ctx.db.asUser(req.auth!.userId, async (q) => {
      const deleted = await listTombstones(q, row.id)
      return {keys: await listKeys(q, row.id), ...(deleted.length ? {deleted} : {})}
    })
  })

  serve(api.keys.put, async (req) => {
    const userId = req.auth!.userId
    const {body, params: {name}} = req
    if (keyNeedsBaseUrl(name) && !body.base_url) {
      throw ApiError.validation(`Key "${name}" speaks the OpenAI-compatible protocol and needs a base URL.`, 'Pass --base-url URL.')
    }
    const row = await manager.owned(userId, req.params.ref)
    if (body.base_url) {
      const verdict = await checkOutboundUrl(body.base_url, {allowPrivate: ctx.config.allowPrivateEgress})
      if (!verdict.allowed) {
        throw ApiError.forbidden(
          `The base URL is refused: ${verdict.reason}, which an instance must not reach.`,
          'Use the provider’s public URL, or a loopback or private-network address; the server operator can allow it with --allow-private-egress.',
        )
      }
    }
    if (!row.kid || body.kid !== row.kid) {
      throw ApiError.conflict(
        'The key was sealed to a public key this instance does not have (unknown kid).',
        'Run `clawd keys set` again: it fetches the instance’s current public key.',
      )
    }
    // A deleted key's version counts too: replaying its old upload must not bring it back.
    const stored = await ctx.db.asUser(userId, (q) => versionFloor(q, row.id, name))
    if (stored !== undefined && body.version <= stored) {
      throw ApiError.conflict(
        `Version ${body.version} is not newer than version ${stored} of this key (stored or deleted); an old ciphertext cannot be replayed.`,
        'Run `clawd keys set` again: it picks the next version.',
      )
    }
    // The AAD comes from our records: the authenticated user, this instance, the name in the path,
    // and the endpoint we will store, so the instance refuses the key for any other endpoint.
    const aad = Buffer.from(
      encodeByokAad({userId, instanceId: row.id, keyName: name, baseUrl: body.base_url ?? '', version: body.version}),
    ).toString('base64url')
    const upload: AgentKeyUpload = {
      provider: providerForKeyName(name),
      kid: body.kid,
      enc: body.enc,
      ct: body.ct,
      aad,
      version: body.version,
      base_url: body.base_url ?? null,
    }
    const res = await manager.callAgent(userId, row.id, agentApi.putKey, {params: {name}, body: upload})
    if (res.status === 400) {
      throw ApiError.validation(
        'The sealed key does not open for this instance, key name and version: it was made for somewhere else or altered.',
        'Run `clawd keys set` again for this instance.',
      )
    }
    if (res.status === 409) throw ApiError.conflict(problemDetail(res.body) ?? 'The instance holds a newer version of this key.', 'Run `clawd keys set` again.')
    if (res.status !== 200) throw agentStorageFailure(res.status, 'the key')
    const saved = await ctx.db.asUser(userId, (q) =>
      upsertKey(q, {
        instanceId: row.id,
        userId,
        name,
        provider: upload.provider,
        fingerprint: body.fingerprint,
        baseUrl: upload.base_url,
        version: body.version,
        kid: body.kid,
        enc: body.enc,
        ct: body.ct,
      }),
    )
    if (!saved) throw ApiError.conflict('A newer version of this key was stored meanwhile.', 'Run `clawd keys set` again.')
    const refused = refusedEgressTarget(ctx.config, upload.base_url ?? ctx.config.providerBaseUrls[name])
    return refused ? {...saved, egress_refused: refused} : saved
  })

  serve(api.keys.delete, async (req) => {
    const userId = req.auth!.userId
    const name = req.params.name
    const row = await manager.owned(userId, req.params.ref)
    await deleteInstanceKey(ctx, userId, row.id, name)
    return {name, deleted: true as const}
  })
}

/**
 * HOST:PORT of `url` when the server's egress policy (`--egress-allow`) would refuse it, so
 * `keys set` can say so at once instead of the first chat failing. Undefined when it is allowed,
 * or when there is no URL to check (the provider's built-in endpoint).
 */
export function refusedEgressTarget(config: Pick<ServerConfig, 'egressAllow'>, url: string | null | undefined): string | undefined {
  const parsed = url ? URL.parse(url) : null
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return undefined
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80))
  if (allowMatcher(config.egressAllow)(parsed.hostname, port)) return undefined
  return `${parsed.hostname}:${port}`
}
