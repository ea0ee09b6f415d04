import {Args, Flags} from '@oclif/core'
import {AdminClient} from '../../src/cli/admin-client.js'
import {BaseCommand} from '../../src/cli/base-command.js'
import {adminSocketPath} from '../../src/server/main.js'
import {defaultDataDir} from '../../src/server/data-dir.js'
import {dataDirFlag, serverStartFlags} from '../../src/server/server-flags.js'

export default class ServerApprove extends BaseCommand {
  static override summary = 'Approve a pending `clawd login` code for a user, from the server’s shell.'
  static override description = 'For a self-hosted server without a browser at hand. Works whether or not the server runs.'
  static override examples = ['<%= config.bin %> server approve BCDF-GHJK --email ada@example.com']
  static override args = {code: Args.string({description: 'The one-time code `clawd login` printed (XXXX-XXXX).', required: true})}
  static override flags = {
    email: Flags.string({summary: 'The user the login is for.', required: true}),
    'data-dir': dataDirFlag,
    'database-url': serverStartFlags['database-url'],
  }

  async run() {
    const {args, flags} = await this.parse(ServerApprove)
    const dataDir = flags['data-dir'] ?? defaultDataDir(this.io.env)
    const admin = await AdminClient.connect({dataDir, socketPath: adminSocketPath(dataDir), databaseUrl: flags['database-url'], env: this.io.env})
    try {
      const approved = await admin.approve({user_code: args.code.trim().toUpperCase(), email: flags.email})
      this.say(
        `Approved ${approved.user_code} for ${approved.email}: requested by ${approved.client_id}` +
          `${approved.client_ip ? ` from ${approved.client_ip}` : ''} at ${approved.requested_at}.`,
      )
      return approved
    } finally {
      await admin.close()
    }
  }
}
