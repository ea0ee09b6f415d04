import type {PairingDecision} from '../../../src/contract/channels.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {decidePairing, pairingCodeArg} from '../../../src/cli/channels/pairing.js'
import {instanceFlag} from '../../../src/cli/kit/flags.js'

export default class ChannelsPairingDeny extends BaseCommand {
  static override summary = 'Refuse a pairing code; the user can ask again later.'
  static override args = {code: pairingCodeArg}
  static override flags = {instance: instanceFlag}

  async run(): Promise<PairingDecision> {
    const {args, flags} = await this.parse(ChannelsPairingDeny)
    const result = await decidePairing(this.factory(flags), flags.instance, args.code, false)
    this.say(`Denied the pairing request of Telegram user ${result.user_id}.`)
    return result
  }
}
