import type {Db} from '../store/db.js'

/**
 * After an account is deleted its rows are gone from every query, but PostgreSQL only marks them
 * dead: the bytes stay in table and index pages until vacuum reuses the space, and in the
 * write-ahead log until its segment is recycled and overwritten. For the embedded database, which
 * lives in the server's data dir next to everything else we promise to clean, we remove those
 * copies at once:
 *
 * - VACUUM FULL rewrites every table and index into new files with live rows only; the old files
 *   are unlinked at the next checkpoint;
 * - with wal_recycle off, a WAL switch and a checkpoint delete the segments that recorded the
 *   account, instead of renaming them for reuse with their old bytes inside.
 *
 * Each statement runs on its own (VACUUM refuses a transaction block). The embedded database is
 * small and single-connection, so this takes a moment. On an external PostgreSQL we do nothing of
 * the sort: rewriting tables there takes exclusive locks on a shared system, and its WAL archive and
 * backups are the operator's (see the README: autovacuum reclaims the space).
 *
 * Returns whether it purged. A failure is reported but does not undo the deletion, which is done.
 */
export async function purgeDeletedRows(db: Db): Promise<boolean> {
  if (db.kind !== 'pglite') return false
  for (const sql of ['VACUUM FULL', 'SET wal_recycle = off', 'SELECT pg_switch_wal()', 'CHECKPOINT']) await db.query(sql)
  return true
}
