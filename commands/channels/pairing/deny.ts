import {pairingCommand} from '../../../src/cli/channels/pairing.js'

export default pairingCommand('deny', 'Refuse a pairing code; the user can ask again later.', (result) => `Denied the pairing request of Telegram user ${result.user_id}.`)
