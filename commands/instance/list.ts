import type {Instance} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import type {CommandContext} from '../../src/cli/kit/context.js'
import {listPages, pageFlags, type PageOptions} from '../../src/cli/kit/pages.js'

export default class InstanceList extends BaseCommand {
  static override summary = 'List your instances.'
  static override aliases = ['instance ls']
  static override flags = {...pageFlags}

  async run(): Promise<{instances: Instance[]; next_cursor: string | null}> {
    const {flags} = await this.parse(InstanceList)
    return listInstances(this.context(flags), flags)
  }
}

/** What the command does, callable without oclif (tests use a test IO and a real server). */
export async function listInstances({out, factory}: CommandContext, page: PageOptions): Promise<{instances: Instance[]; next_cursor: string | null}> {
  return listPages(out, (await factory.api()).instances.list, 'instances', page, {
    command: 'instance list',
    empty: 'No instances. Create one with `clawd instance create`.',
    headers: ['NAME', 'ID', 'STATE', 'LAST ACTIVE', 'ISOLATION', 'REPLICA'],
    row: (i) => [i.name, i.id, i.state, i.last_active_at, i.isolation?.mode ?? '—', i.replica ?? '—'],
  })
}
