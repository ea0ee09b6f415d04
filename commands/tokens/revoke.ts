import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {yesFlag} from '../../src/cli/kit/flags.js'
import {confirmYesNo} from '../../src/cli/kit/confirm.js'
import type {CommandContext} from '../../src/cli/kit/context.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {readPages} from '../../src/cli/kit/pages.js'

export default class TokensRevoke extends BaseCommand {
  static override summary = 'Revoke an API token; it stops working at once.'
  static override description = 'Cannot be undone: scripts using the token fail from then on. On a terminal you confirm; scripts pass --yes.'
  static override examples = ['<%= config.bin %> tokens revoke tok_123', '<%= config.bin %> tokens revoke tok_123 --yes']
  static override args = {id: Args.string({description: 'The token id (see `clawd tokens list`).', required: true})}
  static override flags = {yes: yesFlag}

  async run() {
    const {args, flags} = await this.parse(TokensRevoke)
    return revokeToken(this.context(flags), args.id, flags)
  }
}

/** What the command does, callable without oclif: asks first on a terminal, needs `yes` without one. */
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
