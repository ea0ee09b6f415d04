import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../src/cli/server/admin-command.js'

export default class ServerApprove extends AdminCommand {
  static override summary = 'Approve a pending `clawd login` code for a user, from the server’s shell.'
  static override description = 'For a self-hosted server without a browser at hand. Works whether or not the server runs.'
  static override examples = ['<%= config.bin %> server approve BCDF-GHJK --email ada@example.com']
  static override args = {code: Args.string({description: 'The one-time code `clawd login` printed (XXXX-XXXX).', required: true})}
  static override flags = {
    email: Flags.string({summary: 'The user the login is for.', required: true}),
  }

  async run() {
    const {args, flags} = await this.parse(ServerApprove)
    const approved = await this.admin(flags, (admin) => admin.approveDevice({body: {user_code: args.code.trim().toUpperCase(), email: flags.email}}))
    this.out.say(
      `Approved ${approved.user_code} for ${approved.email}: requested by ${approved.client_id}` +
        `${approved.client_ip ? ` from ${approved.client_ip}` : ''} at ${approved.requested_at}.`,
    )
    return approved
  }
}
