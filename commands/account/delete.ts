import type {DeleteAccountResponse} from '../../src/contract/account.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {confirmByTyping} from '../../src/cli/kit/confirm.js'
import {CliError} from '../../src/cli/kit/errors.js'
import type {Factory} from '../../src/cli/kit/factory.js'
import {yesFlag} from '../../src/cli/kit/flags.js'
import type {IOStreams} from '../../src/cli/kit/io.js'
import {readPages} from '../../src/cli/kit/pages.js'

export interface AccountDeleteResult extends DeleteAccountResponse {
  email: string
  /** The credential stored on this machine for this API was removed too. */
  credential_removed: boolean
}

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
    this.out.say(`Deleted the account ${result.email}: ${result.instances_deleted} instance${result.instances_deleted === 1 ? '' : 's'}, ${result.tokens_revoked} token${result.tokens_revoked === 1 ? '' : 's'} revoked.`)
    if (this.factory(flags).env.CLAWD_TOKEN) this.out.note('CLAWD_TOKEN is set in this environment; its token no longer works, so unset it.')
    return result
  }
}

/**
 * What the command does, callable without oclif. On a terminal the person types the account's
 * email; scripts pass --yes (never a prompt without a terminal). The API gets the email again as
 * confirmation, so a token pointed at the wrong account by mistake cannot delete it.
 */
export async function deleteAccount(f: Factory, io: IOStreams, opts: {yes: boolean}): Promise<AccountDeleteResult> {
  if (!opts.yes && !io.canPrompt) {
    throw CliError.usage('Deleting your account is permanent and needs confirmation.', 'Pass --yes to delete it without a prompt.')
  }
  const api = await f.api()
  const me = await api.me.get()
  if (!opts.yes) {
    const {items: instances} = await readPages(api.instances.list, 'instances', {all: true})
    const names = instances.map((i) => i.name).join(', ')
    io.stderr.write(
      `This deletes the account ${me.email} for good: ${instances.length} instance${instances.length === 1 ? '' : 's'}${names ? ` (${names})` : ''} ` +
        'with their workspaces, sessions and keys, every token, and the access log. Export first with `clawd export --all` if you want a copy.\n',
    )
    await confirmByTyping(io, me.email, `Type your email (${me.email}) to delete the account:`)
  }
  const result = await api.account.delete({body: {confirm_email: me.email}})
  // The stored login is dead now (every token was revoked); keep nothing of it.
  const credentialRemoved = await f.credentials.delete(f.apiUrl).catch(() => false)
  return {...result, email: me.email, credential_removed: credentialRemoved}
}
