import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'

export default class TokensRevoke extends BaseCommand {
  static override summary = 'Revoke an API token; it stops working at once.'
  static override examples = ['<%= config.bin %> tokens revoke tok_123']
  static override args = {id: Args.string({description: 'The token id (see `clawd tokens list`).', required: true})}

  async run() {
    const {args, flags} = await this.parse(TokensRevoke)
    const {client} = await this.factory(flags).apiClient()
    await client.delete(`/v1/tokens/${encodeURIComponent(args.id)}`)
    this.say(`Revoked token ${args.id}.`)
    return {id: args.id, revoked: true}
  }
}
