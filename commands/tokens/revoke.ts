import {readPages} from '../../src/cli/kit/pages.js'
import {Args, Flags} from '@oclif/core'
import {listTokensResponseSchema} from '../../src/contract/auth.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {confirmYesNo} from '../../src/cli/kit/confirm.js'
import {CliError} from '../../src/cli/kit/errors.js'

export default class TokensRevoke extends BaseCommand {
  static override summary = 'Revoke an API token; it stops working at once.'
  static override description = 'Cannot be undone: scripts using the token fail from then on. On a terminal you confirm; scripts pass --yes.'
  static override examples = ['<%= config.bin %> tokens revoke tok_123', '<%= config.bin %> tokens revoke tok_123 --yes']
  static override args = {id: Args.string({description: 'The token id (see `clawd tokens list`).', required: true})}
  static override flags = {yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.', default: false})}

  async run() {
    const {args, flags} = await this.parse(TokensRevoke)
    if (!flags.yes && !this.io.canPrompt) {
      throw CliError.usage('Revoking a token cannot be undone and needs confirmation.', 'Pass --yes to revoke without a prompt.')
    }
    const {client} = await this.factory(flags).apiClient()
    if (!flags.yes) {
      const token = (await readPages(client, '/v1/tokens', listTokensResponseSchema, 'tokens', {all: true})).items.find((t) => t.id === args.id)
      const what = token ? `token "${token.name}" (${token.id})` : `token ${args.id}`
      await confirmYesNo(this.io, `Revoke ${what}? Anything using it stops working at once.`, `Token ${args.id} was not revoked.`)
    }
    await client.delete(`/v1/tokens/${encodeURIComponent(args.id)}`)
    this.say(`Revoked token ${args.id}.`)
    return {id: args.id, revoked: true}
  }
}
