import {pairingCommand} from '../../../src/cli/channels/pairing.js'

export default pairingCommand(
  'approve',
  'Let a Telegram user talk to your agent, by the code the bot sent them.',
  (result) => `Approved: Telegram user ${result.user_id} may talk to the agent now.`,
)
