import {listTokensResponseSchema} from '../../src/contract/auth.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {pageFlags, readPages} from '../../src/cli/kit/pages.js'
import {table} from '../../src/cli/kit/table.js'

export default class TokensList extends BaseCommand {
  static override summary = 'List your API tokens (never their values).'
  static override examples = ['<%= config.bin %> tokens list', '<%= config.bin %> tokens list --json']

  static override flags = {...pageFlags}

  async run() {
    const {flags} = await this.parse(TokensList)
    const {client} = await this.factory(flags).apiClient()
    const {items, next} = await readPages(client, '/v1/tokens', listTokensResponseSchema, 'tokens', flags)
    const result = {tokens: items, next_cursor: next}
    if (result.tokens.length === 0) this.note('No API tokens. Create one with `clawd tokens create --name NAME`.')
    else {
      this.say(
        table(
          ['ID', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED'],
          result.tokens.map((t) => [t.id, t.name, t.created_at, t.expires_at ?? 'never', t.last_used_at ?? '-']),
        ),
      )
    }
    if (next) this.note(`More tokens: \`clawd tokens list --cursor ${next}\`, or --all for every one.`)
    return result
  }
}
