import {Args} from '@oclif/core'
import {type PairingDecision, pairingCodeSchema} from '../../contract/channels.js'
import type {Factory} from '../kit/factory.js'
import {CliError} from '../kit/errors.js'
import {instanceApi} from '../instances/ref.js'

/** The argument of `channels pairing approve|deny`. */
export const pairingCodeArg = Args.string({description: 'The 8-character code, as the bot sent it.', required: true})

/** Approves or denies a pairing code the bot sent to a Telegram user of the instance named (else the only one). */
export async function decidePairing(factory: Factory, named: string | undefined, code: string, approve: boolean): Promise<PairingDecision> {
  const {api, ref} = await instanceApi(factory, named)
  const normalised = code.trim().toUpperCase()
  if (!pairingCodeSchema.safeParse(normalised).success) throw CliError.usage(`"${code.slice(0, 20)}" is not a pairing code: they are 8 letters and digits.`, 'See the waiting codes with `clawd channels pairing list`.')
  return (approve ? api.channels.approvePairing : api.channels.denyPairing)({ref, body: {code: normalised}})
}
