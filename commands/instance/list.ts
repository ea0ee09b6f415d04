import type {Instance} from '../../src/contract/instances.js'
import type {CommandContext} from '../../src/cli/kit/context.js'
import {listPages, pagedListCommand, type PageOptions} from '../../src/cli/kit/pages.js'

/** What the command does, callable without oclif (tests use a test IO and a real server). */
export async function listInstances({out, factory}: CommandContext, page: PageOptions): Promise<{instances: Instance[]; next_cursor: string | null}> {
  return listPages(out, (await factory.api()).instances.list, 'instances', page, {
    command: 'instance list',
    empty: 'No instances. Create one with `clawd instance create`.',
    headers: ['NAME', 'ID', 'STATE', 'LAST ACTIVE', 'ISOLATION', 'REPLICA'],
    row: (i) => [i.name, i.id, i.state, i.last_active_at, i.isolation?.mode ?? '—', i.replica ?? '—'],
  })
}

export default pagedListCommand({summary: 'List your instances.', aliases: ['instance ls'], list: listInstances})
