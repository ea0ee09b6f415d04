import {type AdminApi, connectAdmin} from './admin-client.js'
import {BaseCommand} from '../kit/base-command.js'
import {adminSocketPath, defaultDataDir} from '../../server/index.js'
import {serverStartFlags} from './start-flags.js'

/** The operator commands: `server start`'s --data-dir and --database-url name the server's data, which admin() reaches. */
export abstract class AdminCommand extends BaseCommand {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    'data-dir': serverStartFlags['data-dir'],
    'database-url': serverStartFlags['database-url'],
  }

  /** Runs `fn` with the operator routes of the data dir's server (socket or in-process), and always closes them. */
  protected async admin<T>(flags: {'data-dir'?: string; 'database-url'?: string}, fn: (admin: AdminApi) => Promise<T>): Promise<T> {
    const dataDir = flags['data-dir'] ?? defaultDataDir(this.io.env)
    const admin = await connectAdmin({dataDir, socketPath: adminSocketPath(dataDir), databaseUrl: flags['database-url'], env: this.io.env})
    try {
      return await fn(admin.api)
    } finally {
      await admin.close()
    }
  }
}
