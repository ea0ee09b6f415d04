import {z} from 'zod'
import {agentHealthSchema, agentPublicKeySchema} from '../agent.js'
import {agentEndpoints as at} from '../agent-endpoints.js'
import type {AgentKeyUpload} from '../agent-keys.js'
import {AGENT_TELEGRAM_OUTCOMES, type AgentTelegramChannel, type AgentTelegramDelivery, listPairingResponseSchema, pairingDecisionSchema, removeChannelResponseSchema} from '../channels.js'
import {keyNameSchema, keyVersionSchema} from '../keys.js'
import {pageQuerySchema} from '../page.js'
import {problemSchema} from '../problem.js'
import {
  abortResponseSchema,
  approveToolRequestSchema,
  approveToolResponseSchema,
  clearSessionsResponseSchema,
  createSessionRequestSchema,
  deleteSessionResponseSchema,
  listSessionsResponseSchema,
  sendMessageRequestSchema,
  sessionDetailSchema,
  sessionSchema,
} from '../sessions.js'
import {modelRefSchema} from '../stream.js'
import {pushWorkspaceResponseSchema, workspaceSchema} from '../workspace.js'
import {defineRoute, type ErrorCode} from './define.js'
import {eventStream} from './sessions.js'

/**
 * The agent's private routes (src/contract/agent-endpoints.ts, on its unix socket) with their
 * schemas: the server checks every answer it reads against these. The agent itself never loads
 * this file (nor zod); it checks requests by hand against the zod-free core.
 *
 * Bodies the server builds from its own typed records (a sealed key, a channel, a Telegram
 * update) are declared by their TypeScript type only: the agent checks them at its boundary.
 */
const AGENT: readonly ErrorCode[] = ['bad_request', 'payload_too_large', 'unauthenticated', 'internal']
const keyParams = z.object({name: keyNameSchema})
const sessionParams = z.object({sid: z.string()})
const messageParams = sessionParams.extend({mid: z.string()})
const notFound = {404: problemSchema}

export const agentApi = {
  health: defineRoute({...at.health, summary: 'Liveness, and the agent’s memory use.', auth: 'instance-secret', responses: {200: agentHealthSchema}, errors: AGENT}),
  pubkey: defineRoute({...at.pubkey, summary: 'The public half of the instance’s key pair.', auth: 'instance-secret', responses: {200: agentPublicKeySchema}, errors: AGENT}),
  listKeys: defineRoute({
    ...at.listKeys,
    summary: 'The names and versions of the keys the instance holds (never the ciphertext).',
    auth: 'instance-secret',
    responses: {200: z.object({names: z.array(z.string()), keys: z.array(z.object({name: z.string(), version: z.number()}))})},
    errors: AGENT,
  }),
  putKey: defineRoute({
    ...at.putKey,
    summary: 'Store a sealed key, once it opens here with the AAD the API rebuilt.',
    auth: 'instance-secret',
    params: keyParams,
    body: z.custom<AgentKeyUpload>(),
    responses: {200: z.object({name: z.string(), version: keyVersionSchema})},
    errors: [...AGENT, 'conflict'],
  }),
  deleteKey: defineRoute({
    ...at.deleteKey,
    summary: 'Forget a key.',
    auth: 'instance-secret',
    params: keyParams,
    responses: {200: z.object({name: z.string(), deleted: z.literal(true)}), ...notFound},
    errors: [...AGENT, 'not_found'],
  }),
  createSession: defineRoute({
    ...at.createSession,
    summary: 'Start a session; `default_model` is the instance’s, for when the request names none.',
    auth: 'instance-secret',
    body: createSessionRequestSchema.extend({default_model: modelRefSchema}),
    responses: {201: sessionSchema},
    errors: AGENT,
  }),
  listSessions: defineRoute({
    ...at.listSessions,
    summary: 'Sessions, oldest first, a page at a time.',
    auth: 'instance-secret',
    query: pageQuerySchema,
    responses: {200: listSessionsResponseSchema},
    errors: AGENT,
  }),
  clearSessions: defineRoute({...at.clearSessions, summary: 'Delete every session.', auth: 'instance-secret', responses: {200: clearSessionsResponseSchema}, errors: AGENT}),
  getSession: defineRoute({
    ...at.getSession,
    summary: 'A session with its messages.',
    auth: 'instance-secret',
    params: sessionParams,
    responses: {200: sessionDetailSchema, ...notFound},
    errors: [...AGENT, 'not_found'],
  }),
  deleteSession: defineRoute({
    ...at.deleteSession,
    summary: 'Delete a session.',
    auth: 'instance-secret',
    params: sessionParams,
    responses: {200: deleteSessionResponseSchema},
    errors: [...AGENT, 'not_found'],
  }),
  sendMessage: defineRoute({
    ...at.sendMessage,
    summary: 'Answer a message, streamed; the tools it may use are in ALLOWED_TOOLS_HEADER.',
    auth: 'instance-secret',
    params: sessionParams,
    body: sendMessageRequestSchema,
    responses: {200: eventStream},
    errors: [...AGENT, 'not_found', 'conflict'],
  }),
  resumeMessage: defineRoute({
    ...at.resumeMessage,
    summary: 'An answer’s events after Last-Event-ID.',
    auth: 'instance-secret',
    params: messageParams,
    responses: {200: eventStream},
    errors: [...AGENT, 'not_found'],
  }),
  abortMessage: defineRoute({...at.abortMessage, summary: 'Stop an answer.', auth: 'instance-secret', params: messageParams, responses: {200: abortResponseSchema}, errors: AGENT}),
  approveTool: defineRoute({
    ...at.approveTool,
    summary: 'A person’s answer to a tool call waiting for approval.',
    auth: 'instance-secret',
    params: messageParams,
    body: approveToolRequestSchema,
    responses: {200: approveToolResponseSchema},
    errors: AGENT,
  }),
  getWorkspace: defineRoute({...at.getWorkspace, summary: 'Every workspace file.', auth: 'instance-secret', responses: {200: workspaceSchema}, errors: AGENT}),
  putWorkspace: defineRoute({
    ...at.putWorkspace,
    summary: 'Replace the whole workspace (the API has checked it; the agent checks again).',
    auth: 'instance-secret',
    body: workspaceSchema,
    responses: {200: pushWorkspaceResponseSchema.pick({applied: true}), 422: problemSchema.extend(pushWorkspaceResponseSchema.omit({applied: true}).shape)},
    errors: [...AGENT, 'validation_failed'],
  }),
  runTool: defineRoute({
    ...at.runTool,
    summary: 'One tool call without a model: the benchmark’s and the sandbox tests’ seam (never forwarded).',
    auth: 'instance-secret',
    params: z.object({name: z.string()}),
    body: z.object({args: z.unknown().optional()}),
    responses: {200: z.object({ok: z.boolean(), output: z.string()})},
    errors: [...AGENT, 'not_found', 'conflict'],
  }),
  putTelegram: defineRoute({
    ...at.putTelegram,
    summary: 'Install the Telegram channel: check the token with Telegram and set the webhook.',
    auth: 'instance-secret',
    body: z.custom<AgentTelegramChannel>(),
    responses: {200: z.object({bot_username: z.string(), webhook: z.literal(true)})},
    errors: [...AGENT, 'conflict', 'unavailable'],
  }),
  deleteTelegram: defineRoute({
    ...at.deleteTelegram,
    summary: 'Remove the Telegram channel and its webhook.',
    auth: 'instance-secret',
    responses: {200: removeChannelResponseSchema},
    errors: [...AGENT, 'not_found'],
  }),
  telegramUpdate: defineRoute({
    ...at.telegramUpdate,
    summary: 'One Telegram update; the agent decides at once and answers in the background.',
    auth: 'instance-secret',
    body: z.custom<AgentTelegramDelivery>(),
    responses: {200: z.object({outcome: z.enum(AGENT_TELEGRAM_OUTCOMES)})},
    errors: AGENT,
  }),
  telegramPairing: defineRoute({...at.telegramPairing, summary: 'Pending pairing requests.', auth: 'instance-secret', responses: {200: listPairingResponseSchema}, errors: AGENT}),
  approvePairing: defineRoute({
    ...at.approvePairing,
    summary: 'Approve a pairing code.',
    auth: 'instance-secret',
    params: z.object({code: z.string()}),
    responses: {200: pairingDecisionSchema, ...notFound},
    errors: [...AGENT, 'not_found'],
  }),
  denyPairing: defineRoute({
    ...at.denyPairing,
    summary: 'Deny a pairing code.',
    auth: 'instance-secret',
    params: z.object({code: z.string()}),
    responses: {200: pairingDecisionSchema, ...notFound},
    errors: [...AGENT, 'not_found'],
  }),
} as const
