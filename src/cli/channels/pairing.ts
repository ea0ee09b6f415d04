import {type PairingDecision, pairingCodeSchema} from '../../contract/channels.js'
import type {Api} from '../kit/http/api.js'
import {CliError} from '../kit/errors.js'

/** Approves or denies a pairing code the bot sent to a Telegram user. */
export async function decidePairing(api: Api, ref: string, code: string, approve: boolean): Promise<PairingDecision> {
  const normalised = code.trim().toUpperCase()
  if (!pairingCodeSchema.safeParse(normalised).success) throw CliError.usage(`"${code.slice(0, 20)}" is not a pairing code: they are 8 letters and digits.`, 'See the waiting codes with `clawd channels pairing list`.')
  return (approve ? api.channels.approvePairing : api.channels.denyPairing)({ref, body: {code: normalised}})
}
