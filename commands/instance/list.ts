import {type Instance, listInstancesResponseSchema} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/base-command.js'
import {table} from '../../src/cli/table.js'

export default class InstanceList extends BaseCommand {
  static override summary = 'List your instances.'
  static override aliases = ['instance ls']

  async run(): Promise<{instances: Instance[]}> {
    const {flags} = await this.parse(InstanceList)
    const {client} = await this.factory(flags).apiClient()
    const result = await client.get('/v1/instances', listInstancesResponseSchema)
    if (result.instances.length === 0) this.say('No instances. Create one with `clawd instance create`.')
    else {
      this.say(
        table(
          ['NAME', 'ID', 'STATE', 'LAST ACTIVE', 'ISOLATION', 'REPLICA'],
          result.instances.map((i) => [i.name, i.id, i.state, i.last_active_at, i.isolation?.mode ?? '—', i.replica ?? '—']),
        ),
      )
    }
    return result
  }
}
