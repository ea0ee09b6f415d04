import {channelPath, listPairingResponseSchema, type PairingRequest} from '../../../src/contract/channels.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {pairingTable} from '../../../src/cli/channels/view.js'
import {instanceFlag} from '../../../src/cli/kit/flags.js'
import {resolveInstanceRef} from '../../../src/cli/instances/instances.js'

export default class ChannelsPairingList extends BaseCommand {
  static override summary = 'List the Telegram users waiting for your approval (codes last one hour).'
  static override flags = {instance: instanceFlag}

  async run(): Promise<{requests: PairingRequest[]}> {
    const {flags} = await this.parse(ChannelsPairingList)
    const {client} = await this.factory(flags).apiClient()
    const ref = await resolveInstanceRef(client, flags.instance)
    const result = await client.get(`${channelPath(ref, 'telegram')}/pairing`, listPairingResponseSchema)
    if (result.requests.length === 0) this.say('Nobody is waiting to be paired.')
    else this.say(pairingTable(result.requests))
    return result
  }
}
