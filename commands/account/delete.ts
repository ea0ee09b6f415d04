import {type AccountDeleteResult, deleteAccount} from '../../src/cli/account/delete.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {yesFlag} from '../../src/cli/kit/flags.js'

export default class AccountDelete extends BaseCommand {
  static override summary = 'Delete your account and everything in it, for good.'
  static override description =
    'Revokes every token, deletes every instance (files, sessions, keys, and its data key, so old copies of its encrypted files stay unreadable) ' +
    'and removes the account with its access log. On a terminal you type your email to confirm; scripts pass --yes. ' +
    'Run `clawd export --all` first to keep a copy.'
  static override examples = ['<%= config.bin %> account delete', '<%= config.bin %> account delete --yes']
  static override flags = {yes: yesFlag}

  async run(): Promise<AccountDeleteResult> {
    const {flags} = await this.parse(AccountDelete)
    const result = await deleteAccount(this.factory(flags), this.io, {yes: flags.yes})
    this.say(`Deleted the account ${result.email}: ${result.instances_deleted} instance${result.instances_deleted === 1 ? '' : 's'}, ${result.tokens_revoked} token${result.tokens_revoked === 1 ? '' : 's'} revoked.`)
    if (this.factory(flags).env.CLAWD_TOKEN) this.note('CLAWD_TOKEN is set in this environment; its token no longer works, so unset it.')
    return result
  }
}
