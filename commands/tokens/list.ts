import type {ApiToken} from '../../src/contract/auth.js'
import type {CommandContext} from '../../src/cli/kit/context.js'
import {listPages, pagedListCommand, type PageOptions} from '../../src/cli/kit/pages.js'

/** What the command does, callable without oclif: names and dates, never the tokens themselves. */
export async function listTokens({out, factory}: CommandContext, page: PageOptions): Promise<{tokens: ApiToken[]; next_cursor: string | null}> {
  return listPages(out, (await factory.api()).tokens.list, 'tokens', page, {
    command: 'tokens list',
    empty: 'No API tokens. Create one with `clawd tokens create --name NAME`.',
    emptyIsNote: true,
    headers: ['ID', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED'],
    row: (t) => [t.id, t.name, t.created_at, t.expires_at ?? 'never', t.last_used_at ?? '-'],
  })
}

export default pagedListCommand({
  summary: 'List your API tokens (never their values).',
  examples: ['<%= config.bin %> tokens list', '<%= config.bin %> tokens list --json'],
  list: listTokens,
})
