import type {ApiToken} from '../../contract/auth.js'
import type {CommandContext} from '../kit/context.js'
import {type PageOptions, readPages} from '../kit/pages.js'
import {table} from '../kit/table.js'

/** `clawd tokens list`: names, dates, never the tokens themselves. */
export async function listTokens({out, factory}: CommandContext, page: PageOptions): Promise<{tokens: ApiToken[]; next_cursor: string | null}> {
  const api = await factory.api()
  const {items, next} = await readPages(api.tokens.list, 'tokens', page)
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
