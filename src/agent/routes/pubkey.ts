import {publicKeyDocument} from '../keypair.js'
import {agentEndpoints} from '../../contract/agent-endpoints.js'
import {route} from '../router.js'

/** The public half of the instance's X25519 key pair; the API stores it to serve while paused. */
export const pubkeyRoute = route(agentEndpoints.pubkey, ({agent}) => publicKeyDocument(agent.keys))
