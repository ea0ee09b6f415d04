import type {KeyMetadata} from '../../contract/keys.js'
import type {Queryable} from '../store/db.js'
import {iso} from '../iso.js'

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

function view(row: KeyRow): KeyMetadata {
  return {
    name: row.name,
    provider: row.provider as KeyMetadata['provider'],
    fingerprint: row.fingerprint,
    base_url: row.base_url,
    version: Number(row.version),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
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

/** Stores the ciphertext only if its version is still newer than the stored one and any deleted one. */
export async function upsertKey(
  q: Queryable,
  k: {instanceId: string; userId: string; name: string; provider: string; fingerprint: string; baseUrl: string | null; version: number; kid: string; enc: string; ct: string},
): Promise<KeyMetadata | undefined> {
  const [row] = await q.query<KeyRow>(
    `INSERT INTO instance_keys (instance_id, user_id, name, provider, fingerprint, base_url, version, kid, enc, ct)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
      WHERE NOT EXISTS (SELECT 1 FROM instance_key_tombstones WHERE instance_id = $1 AND name = $3 AND version >= $7)
     ON CONFLICT (instance_id, name) DO UPDATE
       SET provider = EXCLUDED.provider, fingerprint = EXCLUDED.fingerprint, base_url = EXCLUDED.base_url,
           version = EXCLUDED.version, kid = EXCLUDED.kid, enc = EXCLUDED.enc, ct = EXCLUDED.ct, updated_at = now()
       WHERE instance_keys.version < EXCLUDED.version
     RETURNING ${META}`,
    [k.instanceId, k.userId, k.name, k.provider, k.fingerprint, k.baseUrl, k.version, k.kid, k.enc, k.ct],
  )
  return row ? view(row) : undefined
}

/**
 * The highest version a new upload must beat: the stored key's, or the one a delete left behind,
 * so neither a live key nor a deleted one can be replaced by an old ciphertext.
 */
export async function versionFloor(q: Queryable, instanceId: string, name: string): Promise<number | undefined> {
  const [row] = await q.query<{version: string | null}>(
    `SELECT GREATEST((SELECT version FROM instance_keys WHERE instance_id = $1 AND name = $2),
                     (SELECT version FROM instance_key_tombstones WHERE instance_id = $1 AND name = $2)) AS version`,
    [instanceId, name],
  )
  return row?.version == null ? undefined : Number(row.version)
}

/** Versions of the deleted keys (not stored again since), so `keys set` picks a version above them. */
export async function listTombstones(q: Queryable, instanceId: string): Promise<Array<{name: string; version: number}>> {
  const rows = await q.query<{name: string; version: string}>(
    `SELECT t.name, t.version FROM instance_key_tombstones t
      WHERE t.instance_id = $1 AND NOT EXISTS (SELECT 1 FROM instance_keys k WHERE k.instance_id = t.instance_id AND k.name = t.name)
      ORDER BY t.name`,
    [instanceId],
  )
  return rows.map((r) => ({name: r.name, version: Number(r.version)}))
}

/** Removes the key and leaves a tombstone with its version, in one statement. */
export async function deleteKey(q: Queryable, instanceId: string, name: string): Promise<boolean> {
  const rows = await q.query<{version: string}>(
    `WITH gone AS (DELETE FROM instance_keys WHERE instance_id = $1 AND name = $2 RETURNING instance_id, name, version)
     INSERT INTO instance_key_tombstones (instance_id, name, version)
     SELECT instance_id, name, version FROM gone
     ON CONFLICT (instance_id, name) DO UPDATE
       SET version = GREATEST(instance_key_tombstones.version, EXCLUDED.version), deleted_at = now()
     RETURNING version`,
    [instanceId, name],
  )
  return rows.length > 0
}

/** Every stored key with its ciphertext: what the instance must hold (see syncKeys). */
export async function sealedKeys(
  q: Queryable,
  instanceId: string,
): Promise<Array<{user_id: string; name: string; provider: string; base_url: string | null; version: number; kid: string; enc: string; ct: string}>> {
  const rows = await q.query<{user_id: string; name: string; provider: string; base_url: string | null; version: string; kid: string; enc: string; ct: string}>(
    `SELECT user_id, name, provider, base_url, version, kid, enc, ct FROM instance_keys WHERE instance_id = $1 ORDER BY name`,
    [instanceId],
  )
  return rows.map((r) => ({...r, version: Number(r.version)}))
}

export async function markKeyUsed(q: Queryable, instanceId: string, name: string): Promise<void> {
  await q.query(`UPDATE instance_keys SET last_used_at = now() WHERE instance_id = $1 AND name = $2`, [instanceId, name])
}
