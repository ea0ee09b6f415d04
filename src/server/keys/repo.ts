import type {KeyMetadata} from '../../contract/keys.js'
import type {Queryable} from '../store/db.js'

interface KeyRow {
  name: string
  provider: string
  fingerprint: string
  base_url: string | null
  version: string
  created_at: Date
  updated_at: Date
  last_used_at: Date | null
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)

function view(row: KeyRow): KeyMetadata {
  return {
    name: row.name,
    provider: row.provider as KeyMetadata['provider'],
    fingerprint: row.fingerprint,
    base_url: row.base_url,
    version: Number(row.version),
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
    last_used_at: iso(row.last_used_at),
  }
}

const META = 'name, provider, fingerprint, base_url, version, created_at, updated_at, last_used_at'

export async function listKeys(q: Queryable, instanceId: string): Promise<KeyMetadata[]> {
  return (await q.query<KeyRow>(`SELECT ${META} FROM instance_keys WHERE instance_id = $1 ORDER BY name`, [instanceId])).map(view)
}

export async function storedVersion(q: Queryable, instanceId: string, name: string): Promise<number | undefined> {
  const [row] = await q.query<{version: string}>(`SELECT version FROM instance_keys WHERE instance_id = $1 AND name = $2`, [instanceId, name])
  return row ? Number(row.version) : undefined
}

/** Stores the ciphertext only if its version is still newer than the stored one. */
export async function upsertKey(
  q: Queryable,
  k: {instanceId: string; userId: string; name: string; provider: string; fingerprint: string; baseUrl: string | null; version: number; kid: string; enc: string; ct: string},
): Promise<KeyMetadata | undefined> {
  const [row] = await q.query<KeyRow>(
    `INSERT INTO instance_keys (instance_id, user_id, name, provider, fingerprint, base_url, version, kid, enc, ct)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (instance_id, name) DO UPDATE
       SET provider = EXCLUDED.provider, fingerprint = EXCLUDED.fingerprint, base_url = EXCLUDED.base_url,
           version = EXCLUDED.version, kid = EXCLUDED.kid, enc = EXCLUDED.enc, ct = EXCLUDED.ct, updated_at = now()
       WHERE instance_keys.version < EXCLUDED.version
     RETURNING ${META}`,
    [k.instanceId, k.userId, k.name, k.provider, k.fingerprint, k.baseUrl, k.version, k.kid, k.enc, k.ct],
  )
  return row ? view(row) : undefined
}

export async function deleteKey(q: Queryable, instanceId: string, name: string): Promise<boolean> {
  return (await q.query(`DELETE FROM instance_keys WHERE instance_id = $1 AND name = $2 RETURNING name`, [instanceId, name])).length > 0
}

export async function markKeyUsed(q: Queryable, instanceId: string, name: string): Promise<void> {
  await q.query(`UPDATE instance_keys SET last_used_at = now() WHERE instance_id = $1 AND name = $2`, [instanceId, name])
}
