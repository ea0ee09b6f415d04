import type {Instance} from '../../contract/instances.js'
import type {CommandContext} from '../kit/context.js'
import {type PageOptions, readPages} from '../kit/pages.js'
import {table} from '../kit/table.js'

/** `clawd instance list`. */
export async function listInstances({out, factory}: CommandContext, page: PageOptions): Promise<{instances: Instance[]; next_cursor: string | null}> {
  const api = await factory.api()
  const {items, next} = await readPages(api.instances.list, 'instances', page)
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
