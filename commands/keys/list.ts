import type {KeyMetadata} from '../../src/contract/keys.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'
import {table} from '../../src/cli/kit/table.js'

export default class KeysList extends BaseCommand {
  static override summary = 'List the keys an instance holds (never the keys themselves).'
  static override flags = {instance: instanceFlag}

  async run(): Promise<{keys: KeyMetadata[]}> {
    const {flags} = await this.parse(KeysList)
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    const result = await api.keys.list({ref})
    if (result.keys.length === 0) this.say('No keys. Add one with `clawd keys set PROVIDER`.')
    else {
      this.say(
        table(
          ['NAME', 'PROVIDER', 'FINGERPRINT', 'VERSION', 'UPDATED', 'LAST USED'],
          result.keys.map((k) => [k.name, k.provider, k.fingerprint, String(k.version), k.updated_at, k.last_used_at ?? 'never']),
        ),
      )
    }
    return result
  }
}
