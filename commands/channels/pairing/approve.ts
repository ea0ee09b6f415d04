import type {PairingDecision} from '../../../src/contract/channels.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {decidePairing, pairingCodeArg} from '../../../src/cli/channels/pairing.js'
import {instanceFlag} from '../../../src/cli/kit/flags.js'

export default class ChannelsPairingApprove extends BaseCommand {
  static override summary = 'Let a Telegram user talk to your agent, by the code the bot sent them.'
  static override args = {code: pairingCodeArg}
  static override flags = {instance: instanceFlag}

  async run(): Promise<PairingDecision> {
    const {args, flags} = await this.parse(ChannelsPairingApprove)
    const result = await decidePairing(this.factory(flags), flags.instance, args.code, true)
    this.say(`Approved: Telegram user ${result.user_id} may talk to the agent now.`)
    return result
  }
}
