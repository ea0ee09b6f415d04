import type {Instance} from '../../src/contract/instances.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {pageFlags} from '../../src/cli/kit/pages.js'
import {listInstances} from '../../src/cli/instances/list.js'

export default class InstanceList extends BaseCommand {
  static override summary = 'List your instances.'
  static override aliases = ['instance ls']
  static override flags = {...pageFlags}

  async run(): Promise<{instances: Instance[]; next_cursor: string | null}> {
    const {flags} = await this.parse(InstanceList)
    return listInstances(this.context(flags), flags)
  }
}
