import {Args} from '@oclif/core'
import {type PairingDecision, pairingCodeSchema} from '../../contract/channels.js'
import {BaseCommand} from '../kit/base-command.js'
import {CliError} from '../kit/errors.js'
import {instanceFlag} from '../kit/flags.js'
import {instanceApi} from '../instances/ref.js'

/**
 * `channels pairing approve|deny CODE`: approves or denies a pairing code the bot sent to a
 * Telegram user of the instance named (else the only one), then says what was decided.
 */
export function pairingCommand(decision: 'approve' | 'deny', summary: string, decided: (result: PairingDecision) => string) {
  return class PairingCommand extends BaseCommand {
    static override summary = summary
    static override args = {code: Args.string({description: 'The 8-character code, as the bot sent it.', required: true})}
    static override flags = {instance: instanceFlag}

    async run(): Promise<PairingDecision> {
      const {args, flags} = await this.parse(PairingCommand)
      const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
      const code = args.code.trim().toUpperCase()
      if (!pairingCodeSchema.safeParse(code).success) throw CliError.usage(`"${args.code.slice(0, 20)}" is not a pairing code: they are 8 letters and digits.`, 'See the waiting codes with `clawd channels pairing list`.')
      const result = await (decision === 'approve' ? api.channels.approvePairing : api.channels.denyPairing)({ref, body: {code}})
      this.out.say(decided(result))
      return result
    }
  }
}
