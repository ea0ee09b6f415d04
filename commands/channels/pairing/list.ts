import type {PairingRequest} from '../../../src/contract/channels.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {pairingTable} from '../../../src/cli/channels/view.js'
import {instanceFlag} from '../../../src/cli/kit/flags.js'
import {instanceApi} from '../../../src/cli/instances/ref.js'

export default class ChannelsPairingList extends BaseCommand {
  static override summary = 'List the Telegram users waiting for your approval (codes last one hour).'
  static override flags = {instance: instanceFlag}

  async run(): Promise<{requests: PairingRequest[]}> {
    const {flags} = await this.parse(ChannelsPairingList)
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    const result = await api.channels.pairing({ref})
    if (result.requests.length === 0) this.say('Nobody is waiting to be paired.')
    else this.say(pairingTable(result.requests))
    return result
  }
}
