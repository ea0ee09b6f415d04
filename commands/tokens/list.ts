import type {ApiToken} from '../../src/contract/auth.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import type {CommandContext} from '../../src/cli/kit/context.js'
import {pageFlags, type PageOptions, readPages} from '../../src/cli/kit/pages.js'
import {table} from '../../src/cli/kit/table.js'

export default class TokensList extends BaseCommand {
  static override summary = 'List your API tokens (never their values).'
  static override examples = ['<%= config.bin %> tokens list', '<%= config.bin %> tokens list --json']

  static override flags = {...pageFlags}

  async run() {
    const {flags} = await this.parse(TokensList)
    return listTokens(this.context(flags), flags)
  }
}

/** What the command does, callable without oclif: names and dates, never the tokens themselves. */
export async function listTokens({out, factory}: CommandContext, page: PageOptions): Promise<{tokens: ApiToken[]; next_cursor: string | null}> {
  const {items, next} = await readPages((await factory.api()).tokens.list, 'tokens', page)
  if (items.length === 0) out.note('No API tokens. Create one with `clawd tokens create --name NAME`.')
  else {
    out.say(
      table(
        ['ID', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED'],
        items.map((t) => [t.id, t.name, t.created_at, t.expires_at ?? 'never', t.last_used_at ?? '-']),
      ),
    )
  }
  if (next) out.note(`More tokens: \`clawd tokens list --cursor ${next}\`, or --all for every one.`)
  return {tokens: items, next_cursor: next}
}
