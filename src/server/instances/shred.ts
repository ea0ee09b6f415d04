import type {Db} from '../store/db.js'

/**
 * Crypto-shredding needs the wrapped data key gone from the disk, not only from queries. A deleted
 * (or updated) row stays in the table's pages as a dead tuple until vacuum, and in the write-ahead
 * log until its segment is recycled; next to the master key file in the same data dir, either copy
 * would open the instance's old files again. On the embedded database we rewrite the instances
 * table (VACUUM FULL: live rows only, the old file unlinked at the checkpoint) and drop the WAL
 * segments that recorded the key (no recycling, a switch, a checkpoint). It is a small table, so
 * this is quick. On an external PostgreSQL the WAL archive and backups are the operator's, as for
 * account deletion (src/server/account/purge.ts), and autovacuum reclaims the pages.
 */
export async function purgeWrappedKeys(db: Db): Promise<boolean> {
  if (db.kind !== 'pglite') return false
  for (const sql of ['VACUUM FULL instances', 'SET wal_recycle = off', 'SELECT pg_switch_wal()', 'CHECKPOINT']) await db.query(sql)
  return true
}
