import {type AdminApi, connectAdmin} from './admin-client.js'
import type {IOStreams} from '../kit/io.js'
import {adminSocketPath, defaultDataDir} from '../../server/index.js'

/** Runs `fn` with the operator routes of the data dir's server (socket or in-process), and always closes them. */
export async function withAdmin<T>(io: IOStreams, flags: {'data-dir'?: string; 'database-url'?: string}, fn: (admin: AdminApi) => Promise<T>): Promise<T> {
  const dataDir = flags['data-dir'] ?? defaultDataDir(io.env)
  const admin = await connectAdmin({dataDir, socketPath: adminSocketPath(dataDir), databaseUrl: flags['database-url'], env: io.env})
  try {
    return await fn(admin.api)
  } finally {
    await admin.close()
  }
}
