import {Args} from '@oclif/core'
import type {PairingDecision} from '../../../src/contract/channels.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {decidePairing} from '../../../src/cli/channels/pairing.js'
import {instanceFlag} from '../../../src/cli/kit/flags.js'
import {resolveInstanceRef} from '../../../src/cli/instances/ref.js'

export default class ChannelsPairingDeny extends BaseCommand {
  static override summary = 'Refuse a pairing code; the user can ask again later.'
  static override args = {code: Args.string({description: 'The 8-character code, as the bot sent it.', required: true})}
  static override flags = {instance: instanceFlag}

  async run(): Promise<PairingDecision> {
    const {args, flags} = await this.parse(ChannelsPairingDeny)
    const api = await this.factory(flags).api()
    const ref = await resolveInstanceRef(api, flags.instance)
    const result = await decidePairing(api, ref, args.code, false)
    this.say(`Denied the pairing request of Telegram user ${result.user_id}.`)
    return result
  }
}
