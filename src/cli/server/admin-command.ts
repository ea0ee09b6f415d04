import {AdminClient} from './admin-client.js'
import type {IOStreams} from '../kit/io.js'
import {adminSocketPath, defaultDataDir} from '../../server/index.js'

/** Runs `fn` with an admin client for the data dir (socket or in-process), and always closes it. */
export async function withAdmin<T>(io: IOStreams, flags: {'data-dir'?: string; 'database-url'?: string}, fn: (admin: AdminClient) => Promise<T>): Promise<T> {
  const dataDir = flags['data-dir'] ?? defaultDataDir(io.env)
  const admin = await AdminClient.connect({dataDir, socketPath: adminSocketPath(dataDir), databaseUrl: flags['database-url'], env: io.env})
  try {
    return await fn(admin)
  } finally {
    await admin.close()
  }
}
