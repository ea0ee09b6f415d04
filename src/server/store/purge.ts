import type {Db} from './db.js'

/**
 * Deleted rows must leave the disk, not only the queries: crypto-shredding needs the wrapped data
 * key gone, and an account delete promises nothing of the account in the data dir. PostgreSQL only
 * marks deleted rows dead — the bytes stay in table pages until vacuum reuses the space, and in the
 * write-ahead log until its segment is recycled. For the embedded database, which lives in the data
 * dir next to the master key, we remove those copies at once:
 *
 * - VACUUM FULL rewrites the tables (all, or the one named) with live rows only; the old files are
 *   unlinked at the next checkpoint;
 * - with wal_recycle off (set when the cluster starts), a WAL switch and a checkpoint delete the
 *   segments that recorded the rows, instead of renaming them for reuse with their old bytes inside.
 *
 * Each statement runs on its own (VACUUM refuses a transaction block). On an external PostgreSQL we
 * do nothing of the sort: rewriting tables there takes exclusive locks on a shared system, and its
 * WAL archive and backups are the operator's (README: autovacuum reclaims the space).
 *
 * Returns whether it purged. A failure is the caller's to report; the deletion itself is done.
 */
export async function purgeDeletedRows(db: Db, table?: 'instances'): Promise<boolean> {
  if (db.kind !== 'embedded') return false
  await db.query(table ? `VACUUM FULL ${table}` : 'VACUUM FULL')
  // Twice: reading the old pages during the rewrite sets hint bits, which with data checksums on
  // logs full-page images (dead rows included) into the segment the first switch opens.
  for (let round = 0; round < 2; round++) for (const sql of ['SELECT pg_switch_wal()', 'CHECKPOINT']) await db.query(sql)
  return true
}
