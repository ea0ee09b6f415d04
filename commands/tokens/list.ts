import {listTokensResponseSchema} from '../../src/contract/auth.js'
import {BaseCommand} from '../../src/cli/base-command.js'
import {table} from '../../src/cli/table.js'

export default class TokensList extends BaseCommand {
  static override summary = 'List your API tokens (never their values).'
  static override examples = ['<%= config.bin %> tokens list', '<%= config.bin %> tokens list --json']

  async run() {
    const {flags} = await this.parse(TokensList)
    const {client} = await this.factory(flags).apiClient()
    const result = await client.get('/v1/tokens', listTokensResponseSchema)
    if (result.tokens.length === 0) this.note('No API tokens. Create one with `clawd tokens create --name NAME`.')
    else {
      this.say(
        table(
          ['ID', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED'],
          result.tokens.map((t) => [t.id, t.name, t.created_at, t.expires_at ?? 'never', t.last_used_at ?? '-']),
        ),
      )
    }
    return result
  }
}
