import {Args} from '@oclif/core'
import type {PairingDecision} from '../../../src/contract/channels.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {decidePairing} from '../../../src/cli/channels/pairing.js'
import {instanceFlag} from '../../../src/cli/kit/flags.js'
import {resolveInstanceRef} from '../../../src/cli/instances/ref.js'

export default class ChannelsPairingApprove extends BaseCommand {
  static override summary = 'Let a Telegram user talk to your agent, by the code the bot sent them.'
  static override args = {code: Args.string({description: 'The 8-character code, as the bot sent it.', required: true})}
  static override flags = {instance: instanceFlag}

  async run(): Promise<PairingDecision> {
    const {args, flags} = await this.parse(ChannelsPairingApprove)
    const api = await this.factory(flags).api()
    const ref = await resolveInstanceRef(api, flags.instance)
    const result = await decidePairing(api, ref, args.code, true)
    this.say(`Approved: Telegram user ${result.user_id} may talk to the agent now.`)
    return result
  }
}
