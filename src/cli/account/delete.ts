import type {DeleteAccountResponse} from '../../contract/account.js'
import {readPages} from '../kit/pages.js'
import {confirmByTyping} from '../kit/confirm.js'
import {CliError} from '../kit/errors.js'
import type {Factory} from '../kit/factory.js'
import type {IOStreams} from '../kit/io.js'

export interface AccountDeleteResult extends DeleteAccountResponse {
  email: string
  /** The credential stored on this machine for this API was removed too. */
  credential_removed: boolean
}

/**
 * `clawd account delete`: permanent. On a terminal the person types the account's email; scripts
 * pass --yes (never a prompt without a terminal). The API gets the email again as confirmation,
 * so a token pointed at the wrong account by mistake cannot delete it.
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
