import {type Instance, listInstancesResponseSchema} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {pageFlags, readPages} from '../../src/cli/kit/pages.js'
import {table} from '../../src/cli/kit/table.js'

export default class InstanceList extends BaseCommand {
  static override summary = 'List your instances.'
  static override aliases = ['instance ls']
  static override flags = {...pageFlags}

  async run(): Promise<{instances: Instance[]; next_cursor: string | null}> {
    const {flags} = await this.parse(InstanceList)
    const {client} = await this.factory(flags).apiClient()
    const {items, next} = await readPages(client, '/v1/instances', listInstancesResponseSchema, 'instances', flags)
    const result = {instances: items, next_cursor: next}
    if (result.instances.length === 0) this.say('No instances. Create one with `clawd instance create`.')
    else {
      this.say(
        table(
          ['NAME', 'ID', 'STATE', 'LAST ACTIVE', 'ISOLATION', 'REPLICA'],
          result.instances.map((i) => [i.name, i.id, i.state, i.last_active_at, i.isolation?.mode ?? '—', i.replica ?? '—']),
        ),
      )
    }
    if (next) this.note(`More instances: \`clawd instance list --cursor ${next}\`, or --all for every one.`)
    return result
  }
}
