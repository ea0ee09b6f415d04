import type {Instance} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import type {CommandContext} from '../../src/cli/kit/context.js'
import {pageFlags, type PageOptions, readPages} from '../../src/cli/kit/pages.js'
import {table} from '../../src/cli/kit/table.js'

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
  const {items, next} = await readPages((await factory.api()).instances.list, 'instances', page)
  if (items.length === 0) out.say('No instances. Create one with `clawd instance create`.')
  else {
    out.say(
      table(
        ['NAME', 'ID', 'STATE', 'LAST ACTIVE', 'ISOLATION', 'REPLICA'],
        items.map((i) => [i.name, i.id, i.state, i.last_active_at, i.isolation?.mode ?? '—', i.replica ?? '—']),
      ),
    )
  }
  if (next) out.note(`More instances: \`clawd instance list --cursor ${next}\`, or --all for every one.`)
  return {instances: items, next_cursor: next}
}
