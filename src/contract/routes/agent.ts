import {z} from 'zod'
import {agentHealthSchema, agentPublicKeySchema} from '../agent.js'
import {agentEndpoints as at} from '../agent-endpoints.js'
import type {AgentKeyUpload} from '../agent-keys.js'
import {AGENT_TELEGRAM_OUTCOMES, type AgentTelegramChannel, type AgentTelegramDelivery, listPairingResponseSchema, pairingDecisionSchema, removeChannelResponseSchema} from '../channels.js'
import {keyVersionSchema} from '../keys.js'
import {pageQuerySchema} from '../page.js'
import {problemSchema} from '../problem.js'
import * as s from '../sessions.js'
import {modelRefSchema} from '../stream.js'
import {pushWorkspaceResponseSchema, workspaceSchema} from '../workspace.js'
import {defineRoute} from './define.js'
import {eventStream} from './sessions.js'

/**
 * The agent's private routes (src/contract/agent-endpoints.ts, on its unix socket) with their
 * schemas: the server checks the answers it reads against these. The agent itself never loads this
 * file (nor zod); it checks requests by hand against the zod-free core. Bodies the server builds
 * from its own typed records (a sealed key, a channel, a Telegram update) are declared by their
 * TypeScript type only: the agent checks them at its boundary.
 */
const agent = {auth: 'instance-secret', errors: ['bad_request', 'payload_too_large', 'unauthenticated', 'not_found', 'conflict', 'internal']} as const
const sid = {params: z.object({sid: z.string()})}
const mid = {params: z.object({sid: z.string(), mid: z.string()})}
const code = {params: z.object({code: z.string()})}
const gone = {404: problemSchema}
const nameVersion = z.object({name: z.string(), version: keyVersionSchema})

export const agentApi = {
  health: defineRoute({...agent, ...at.health, summary: 'Liveness, and the agent’s memory use.', responses: {200: agentHealthSchema}}),
  pubkey: defineRoute({...agent, ...at.pubkey, summary: 'The public half of the instance’s key pair.', responses: {200: agentPublicKeySchema}}),
  listKeys: defineRoute({...agent, ...at.listKeys, summary: 'The keys it holds, by name and version.', responses: {200: z.object({names: z.array(z.string()), keys: z.array(nameVersion)})}}),
  putKey: defineRoute({...agent, ...at.putKey, summary: 'Store a sealed key, once it opens here with the AAD the API rebuilt.', params: z.object({name: z.string()}), body: z.custom<AgentKeyUpload>(), responses: {200: nameVersion}}),
  deleteKey: defineRoute({...agent, ...at.deleteKey, summary: 'Forget a key.', params: z.object({name: z.string()}), responses: {200: z.object({name: z.string(), deleted: z.literal(true)}), ...gone}}),
  createSession: defineRoute({
    ...agent, ...at.createSession, summary: 'Start a session; `default_model` is the instance’s, for when the request names none.',
    body: s.createSessionRequestSchema.extend({default_model: modelRefSchema}), responses: {201: s.sessionSchema},
  }),
  listSessions: defineRoute({...agent, ...at.listSessions, summary: 'Sessions, oldest first, a page at a time.', query: pageQuerySchema, responses: {200: s.listSessionsResponseSchema}}),
  clearSessions: defineRoute({...agent, ...at.clearSessions, summary: 'Delete every session.', responses: {200: s.clearSessionsResponseSchema}}),
  getSession: defineRoute({...agent, ...at.getSession, ...sid, summary: 'A session with its messages.', responses: {200: s.sessionDetailSchema, ...gone}}),
  deleteSession: defineRoute({...agent, ...at.deleteSession, ...sid, summary: 'Delete a session.', responses: {200: s.deleteSessionResponseSchema}}),
  sendMessage: defineRoute({...agent, ...at.sendMessage, ...sid, summary: 'Answer a message, streamed (the tools it may use are in ALLOWED_TOOLS_HEADER).', body: s.sendMessageRequestSchema, responses: {200: eventStream}}),
  resumeMessage: defineRoute({...agent, ...at.resumeMessage, ...mid, summary: 'An answer’s events after Last-Event-ID.', responses: {200: eventStream}}),
  abortMessage: defineRoute({...agent, ...at.abortMessage, ...mid, summary: 'Stop an answer.', responses: {200: s.abortResponseSchema}}),
  approveTool: defineRoute({...agent, ...at.approveTool, ...mid, summary: 'A person’s answer to a tool call waiting for one.', body: s.approveToolRequestSchema, responses: {200: s.approveToolResponseSchema}}),
  getWorkspace: defineRoute({...agent, ...at.getWorkspace, summary: 'Every workspace file.', responses: {200: workspaceSchema}}),
  putWorkspace: defineRoute({
    ...agent, ...at.putWorkspace, summary: 'Replace the whole workspace (checked by the API, and again here).', body: workspaceSchema,
    responses: {200: pushWorkspaceResponseSchema.pick({applied: true}), 422: problemSchema.extend(pushWorkspaceResponseSchema.omit({applied: true}).shape)},
  }),
  runTool: defineRoute({
    ...agent, ...at.runTool, summary: 'One tool call without a model: the seam of the benchmark and the sandbox tests (never forwarded).', params: z.object({name: z.string()}),
    body: z.object({args: z.unknown().optional()}), responses: {200: z.object({ok: z.boolean(), output: z.string()})},
  }),
  putTelegram: defineRoute({
    ...agent, ...at.putTelegram, summary: 'Install the Telegram channel: check the token with Telegram, set the webhook.', body: z.custom<AgentTelegramChannel>(),
    responses: {200: z.object({bot_username: z.string(), webhook: z.literal(true)})},
  }),
  deleteTelegram: defineRoute({...agent, ...at.deleteTelegram, summary: 'Remove the Telegram channel and its webhook.', responses: {200: removeChannelResponseSchema}}),
  telegramUpdate: defineRoute({
    ...agent, ...at.telegramUpdate, summary: 'One Telegram update: decided at once, answered in the background.', body: z.custom<AgentTelegramDelivery>(),
    responses: {200: z.object({outcome: z.enum(AGENT_TELEGRAM_OUTCOMES)})},
  }),
  telegramPairing: defineRoute({...agent, ...at.telegramPairing, summary: 'Pending pairing requests.', responses: {200: listPairingResponseSchema}}),
  approvePairing: defineRoute({...agent, ...at.approvePairing, ...code, summary: 'Approve a pairing code.', responses: {200: pairingDecisionSchema, ...gone}}),
  denyPairing: defineRoute({...agent, ...at.denyPairing, ...code, summary: 'Deny a pairing code.', responses: {200: pairingDecisionSchema, ...gone}}),
} as const
