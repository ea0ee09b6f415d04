import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {revokeToken} from '../../src/cli/tokens/revoke.js'

export default class TokensRevoke extends BaseCommand {
  static override summary = 'Revoke an API token; it stops working at once.'
  static override description = 'Cannot be undone: scripts using the token fail from then on. On a terminal you confirm; scripts pass --yes.'
  static override examples = ['<%= config.bin %> tokens revoke tok_123', '<%= config.bin %> tokens revoke tok_123 --yes']
  static override args = {id: Args.string({description: 'The token id (see `clawd tokens list`).', required: true})}
  static override flags = {yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.', default: false})}

  async run() {
    const {args, flags} = await this.parse(TokensRevoke)
    return revokeToken(this.context(flags), args.id, flags)
  }
}
