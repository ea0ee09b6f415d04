import type {CommandContext} from '../kit/context.js'
import {confirmYesNo} from '../kit/confirm.js'
import {CliError} from '../kit/errors.js'
import {readPages} from '../kit/pages.js'

/** `clawd tokens revoke ID`: asks first on a terminal, needs `yes` without one. */
export async function revokeToken({out, factory}: CommandContext, id: string, opts: {yes: boolean}): Promise<{id: string; revoked: true}> {
  const io = out.io
  if (!opts.yes && !io.canPrompt) {
    throw CliError.usage('Revoking a token cannot be undone and needs confirmation.', 'Pass --yes to revoke without a prompt.')
  }
  const api = await factory.api()
  if (!opts.yes) {
    const token = (await readPages(api.tokens.list, 'tokens', {all: true})).items.find((t) => t.id === id)
    const what = token ? `token "${token.name}" (${token.id})` : `token ${id}`
    await confirmYesNo(io, `Revoke ${what}? Anything using it stops working at once.`, `Token ${id} was not revoked.`)
  }
  await api.tokens.revoke({id})
  out.say(`Revoked token ${id}.`)
  return {id, revoked: true}
}
