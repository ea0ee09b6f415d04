import type {Channel, ChannelKind, DmPolicy} from '../../contract/channels.js'
import type {Queryable} from '../store/db.js'

interface ChannelRow {
  kind: ChannelKind
  bot_id: string
  bot_username: string
  fingerprint: string
  dm_policy: DmPolicy
  allow_from: string[]
  api_url: string | null
  version: string
  created_at: Date
  updated_at: Date
}

const META = 'kind, bot_id, bot_username, fingerprint, dm_policy, allow_from, api_url, version, created_at, updated_at'

function view(row: ChannelRow): Channel {
  return {
    kind: row.kind,
    bot_id: Number(row.bot_id),
    bot_username: row.bot_username,
    fingerprint: row.fingerprint,
    dm_policy: row.dm_policy,
    allow_from: row.allow_from ?? [],
    api_url: row.api_url,
    version: Number(row.version),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  }
}

/** Channels of one instance, as `channels list` shows them: never the ciphertext or the secret's hash. */
export async function listChannels(q: Queryable, instanceId: string): Promise<Channel[]> {
  return (await q.query<ChannelRow>(`SELECT ${META} FROM instance_channels WHERE instance_id = $1 ORDER BY kind`, [instanceId])).map(view)
}

export async function findChannel(q: Queryable, instanceId: string, kind: ChannelKind): Promise<Channel | undefined> {
  const [row] = await q.query<ChannelRow>(`SELECT ${META} FROM instance_channels WHERE instance_id = $1 AND kind = $2`, [instanceId, kind])
  return row ? view(row) : undefined
}

/** Stores the channel if its version is newer than the stored one; undefined when it is not. */
export async function upsertChannel(
  q: Queryable,
  c: {
    instanceId: string
    userId: string
    kind: ChannelKind
    botId: number
    botUsername: string
    fingerprint: string
    dmPolicy: DmPolicy
    allowFrom: string[]
    apiUrl: string | null
    version: number
    kid: string
    enc: string
    ct: string
    secretHash: string
  },
): Promise<Channel | undefined> {
  const [row] = await q.query<ChannelRow>(
    `INSERT INTO instance_channels (instance_id, user_id, kind, bot_id, bot_username, fingerprint, dm_policy, allow_from, api_url, version, kid, enc, ct, webhook_secret_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (instance_id, kind) DO UPDATE
       SET bot_id = EXCLUDED.bot_id, bot_username = EXCLUDED.bot_username, fingerprint = EXCLUDED.fingerprint,
           dm_policy = EXCLUDED.dm_policy, allow_from = EXCLUDED.allow_from, api_url = EXCLUDED.api_url,
           version = EXCLUDED.version, kid = EXCLUDED.kid, enc = EXCLUDED.enc, ct = EXCLUDED.ct,
           webhook_secret_hash = EXCLUDED.webhook_secret_hash, updated_at = now()
       WHERE instance_channels.version < EXCLUDED.version
     RETURNING ${META}`,
    [c.instanceId, c.userId, c.kind, c.botId, c.botUsername, c.fingerprint, c.dmPolicy, c.allowFrom, c.apiUrl, c.version, c.kid, c.enc, c.ct, c.secretHash],
  )
  return row ? view(row) : undefined
}

export async function deleteChannel(q: Queryable, instanceId: string, kind: ChannelKind): Promise<boolean> {
  return (await q.query(`DELETE FROM instance_channels WHERE instance_id = $1 AND kind = $2 RETURNING kind`, [instanceId, kind])).length > 0
}

/**
 * The webhook's way in, before any user is known (so as the owner, like token lookup): the
 * channel whose secret hashes to `hash`, with its instance's owner and model.
 */
export async function channelBySecretHash(q: Queryable, hash: string): Promise<{instance_id: string; user_id: string; webhook_secret_hash: string} | undefined> {
  const [row] = await q.query<{instance_id: string; user_id: string; webhook_secret_hash: string}>(
    `SELECT instance_id, user_id, webhook_secret_hash FROM instance_channels WHERE webhook_secret_hash = $1 AND kind = 'telegram'`,
    [hash],
  )
  return row
}

/** Every instance's channel API, for restoring the per-instance egress allowances at start-up. */
export async function allChannelEndpoints(q: Queryable): Promise<Array<{instance_id: string; api_url: string | null}>> {
  return q.query(`SELECT instance_id, api_url FROM instance_channels`)
}
