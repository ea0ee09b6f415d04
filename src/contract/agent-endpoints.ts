import type {Endpoint} from './route-path.js'

/**
 * The private routes of an instance's agent (its unix socket, server → agent only), by method and
 * path. Zod-free: the agent's router registers its handlers on these, and the server's calls (and
 * src/contract/routes/agent.ts, which adds the schemas) build on the same constants.
 */
export const agentEndpoints = {
  health: {method: 'GET', path: '/health'},
  pubkey: {method: 'GET', path: '/pubkey'},
  listKeys: {method: 'GET', path: '/keys'},
  putKey: {method: 'PUT', path: '/keys/:name'},
  deleteKey: {method: 'DELETE', path: '/keys/:name'},
  createSession: {method: 'POST', path: '/sessions'},
  listSessions: {method: 'GET', path: '/sessions'},
  clearSessions: {method: 'DELETE', path: '/sessions'},
  getSession: {method: 'GET', path: '/sessions/:sid'},
  deleteSession: {method: 'DELETE', path: '/sessions/:sid'},
  sendMessage: {method: 'POST', path: '/sessions/:sid/messages'},
  resumeMessage: {method: 'GET', path: '/sessions/:sid/messages/:mid/events'},
  abortMessage: {method: 'POST', path: '/sessions/:sid/messages/:mid/abort'},
  approveTool: {method: 'POST', path: '/sessions/:sid/messages/:mid/approve'},
  getWorkspace: {method: 'GET', path: '/workspace'},
  putWorkspace: {method: 'PUT', path: '/workspace'},
  runTool: {method: 'POST', path: '/tools/:name'},
  putTelegram: {method: 'PUT', path: '/channels/telegram'},
  deleteTelegram: {method: 'DELETE', path: '/channels/telegram'},
  telegramUpdate: {method: 'POST', path: '/channels/telegram/updates'},
  telegramPairing: {method: 'GET', path: '/channels/telegram/pairing'},
  approvePairing: {method: 'POST', path: '/channels/telegram/pairing/:code/approve'},
  denyPairing: {method: 'POST', path: '/channels/telegram/pairing/:code/deny'},
} as const satisfies Record<string, Endpoint>
