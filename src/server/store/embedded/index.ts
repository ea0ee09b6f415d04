import type {Db} from '../db.js'
import {openPostgres} from '../postgres.js'
import {startEmbeddedCluster} from './cluster.js'

/**
 * The embedded store: the data dir's own PostgreSQL cluster, opened through the same `pg` code
 * path as an external server. Closing the store stops the cluster.
 */
export async function openEmbeddedStore(dataDir: string): Promise<Db> {
  const cluster = await startEmbeddedCluster(dataDir)
  try {
    return await openPostgres(cluster.connection, {kind: 'embedded', afterClose: () => cluster.stop()})
  } catch (error) {
    await cluster.stop()
    throw error
  }
}
