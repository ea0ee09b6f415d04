import {channelPath, type PairingDecision, pairingCodeSchema, pairingDecisionSchema} from '../../contract/channels.js'
import type {ApiClient} from '../kit/http/api-client.js'
import {CliError} from '../kit/errors.js'

/** Approves or denies a pairing code the bot sent to a Telegram user. */
export async function decidePairing(client: ApiClient, ref: string, code: string, approve: boolean): Promise<PairingDecision> {
  const normalised = code.trim().toUpperCase()
  if (!pairingCodeSchema.safeParse(normalised).success) throw CliError.usage(`"${code.slice(0, 20)}" is not a pairing code: they are 8 letters and digits.`, 'See the waiting codes with `clawd channels pairing list`.')
  return client.request('POST', `${channelPath(ref, 'telegram')}/pairing/${approve ? 'approve' : 'deny'}`, {body: {code: normalised}, schema: pairingDecisionSchema})
}
