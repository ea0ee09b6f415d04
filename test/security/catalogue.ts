import type {z} from 'zod'
import {deleteAccountRequestSchema} from '../../src/contract/account.js'
import {createTokenRequestSchema} from '../../src/contract/auth.js'
import {addTelegramChannelRequestSchema, pairingDecisionRequestSchema} from '../../src/contract/channels.js'
import {createInstanceRequestSchema, updateInstanceRequestSchema} from '../../src/contract/instances.js'
import {keyUploadSchema} from '../../src/contract/keys.js'
import {toolPolicySchema} from '../../src/contract/tool-policy.js'
import {approveToolRequestSchema, createSessionRequestSchema, sendMessageRequestSchema} from '../../src/contract/sessions.js'
import {pushWorkspaceRequestSchema} from '../../src/contract/workspace-push.js'
import type {Owned} from './world.js'

/** The values a route template's parameters take for one user. */
export type Ids = {
  ref: string
  sid: string
  mid: string
  name: string
  id: string
}

export const idsOf = (o: Owned, by: 'id' | 'name' = 'id'): Ids => ({
  ref: by === 'id' ? o.instance.id : o.instance.name,
  sid: o.session.id,
  mid: o.session.messageId,
  name: o.keyName,
  id: o.pat.id,
})

export interface RouteCase {
  /** A body that passes the route's contract (and so reaches the handler's own checks). */
  body?: (owner: Owned) => unknown
  /** The contract schema of the JSON body: what the fuzzer builds its inputs from. */
  contract?: z.ZodType
  /** Every field is optional, so no body (or a JSON `null`) is taken as `{}`. */
  optionalBody?: boolean
  /** Removes or changes what it names when it succeeds: sweeps only send it what must fail. */
  destructive?: boolean
  /**
   * How the cross-tenant sweep reaches another user's data through it: by the ids in its path
   * (`ids`: must be 404), or it only ever acts on the caller's own account (`self`: checked one
   * by one in the cross-tenant test).
   */
  scope: 'ids' | 'self'
  /**
   * Stopping an answer (and answering a tool approval) is idempotent: inside the caller's own instance, a session or message it
   * does not hold (bob's, or nobody's) is "nothing to stop", `{aborted: false}`, not a 404. The
   * cross-tenant sweep still requires that answer to be identical for bob's ids and for ids nobody
   * has, so it tells alice nothing.
   */
  noOpForUnknownSubIds?: boolean
  /** What such a no-op answers (default `{aborted: false}`). */
  noOpBody?: unknown
}

/** Shaped like a sealed key, so it passes the contract; it was sealed to nothing. */
export const shapedKeyUpload = () => ({
  kid: '0123456789abcdef',
  enc: 'A'.repeat(43),
  ct: 'B'.repeat(40),
  version: 99,
  fingerprint: '01234567',
})

/**
 * Every route that needs a bearer token, with what it takes. The inventory test fails when the
 * app serves a protected route that is not listed here, so a new route cannot skip the sweeps.
 */
export const ROUTE_CASES: Record<string, RouteCase> = {
  'GET /v1/me': {scope: 'self'},
  'POST /v1/tokens': {scope: 'self', body: () => ({name: 'sweep token', expires_in_days: 1}), contract: createTokenRequestSchema},
  'GET /v1/tokens': {scope: 'self'},
  'DELETE /v1/tokens/:id': {scope: 'ids', destructive: true},
  'POST /v1/instances': {scope: 'self', body: () => ({name: 'sweep-new'}), contract: createInstanceRequestSchema, optionalBody: true},
  'GET /v1/instances': {scope: 'self'},
  'GET /v1/instances/:ref': {scope: 'ids'},
  'PATCH /v1/instances/:ref': {scope: 'ids', body: () => ({model: 'dev/swept'}), contract: updateInstanceRequestSchema, destructive: true},
  'DELETE /v1/instances/:ref': {scope: 'ids', destructive: true},
  'POST /v1/instances/:ref/pause': {scope: 'ids', destructive: true},
  'POST /v1/instances/:ref/resume': {scope: 'ids'},
  'GET /v1/instances/:ref/events': {scope: 'ids'},
  'GET /v1/instances/:ref/public-key': {scope: 'ids'},
  'GET /v1/instances/:ref/keys': {scope: 'ids'},
  'PUT /v1/instances/:ref/keys/:name': {scope: 'ids', body: shapedKeyUpload, contract: keyUploadSchema, destructive: true},
  'DELETE /v1/instances/:ref/keys/:name': {scope: 'ids', destructive: true},
  'POST /v1/instances/:ref/sessions': {scope: 'ids', body: () => ({title: 'swept'}), contract: createSessionRequestSchema, optionalBody: true},
  'PUT /v1/instances/:ref/tools': {scope: 'ids', body: () => ({profile: 'minimal', allow: [], deny: ['exec']}), contract: toolPolicySchema, destructive: true},
  'GET /v1/instances/:ref/sessions': {scope: 'ids'},
  'DELETE /v1/instances/:ref/sessions': {scope: 'ids', destructive: true},
  'GET /v1/instances/:ref/sessions/:sid': {scope: 'ids'},
  'DELETE /v1/instances/:ref/sessions/:sid': {scope: 'ids', destructive: true},
  'POST /v1/instances/:ref/sessions/:sid/messages': {scope: 'ids', body: () => ({content: 'swept'}), contract: sendMessageRequestSchema},
  'GET /v1/instances/:ref/sessions/:sid/messages/:mid/events': {scope: 'ids'},
  'POST /v1/instances/:ref/sessions/:sid/messages/:mid/abort': {scope: 'ids', noOpForUnknownSubIds: true},
  'POST /v1/instances/:ref/sessions/:sid/messages/:mid/approve': {
    scope: 'ids',
    body: () => ({tool_call_id: 'toolu_swept', approve: false}),
    contract: approveToolRequestSchema,
    noOpForUnknownSubIds: true,
    noOpBody: {accepted: false},
  },
  'GET /v1/instances/:ref/workspace': {scope: 'ids'},
  'PUT /v1/instances/:ref/workspace': {
    scope: 'ids',
    body: () => ({files: [{path: 'SOUL.md', content: '# Swept\n'}]}),
    contract: pushWorkspaceRequestSchema,
    destructive: true,
  },
  'GET /v1/instances/:ref/channels': {scope: 'ids'},
  'PUT /v1/instances/:ref/channels/telegram': {
    scope: 'ids',
    body: () => ({...shapedKeyUpload(), bot: {id: 1, username: 'swept_bot'}, dm_policy: 'allowlist', allow_from: ['123456789']}),
    contract: addTelegramChannelRequestSchema,
    destructive: true,
  },
  'DELETE /v1/instances/:ref/channels/telegram': {scope: 'ids', destructive: true},
  'GET /v1/instances/:ref/channels/telegram/pairing': {scope: 'ids'},
  'POST /v1/instances/:ref/channels/telegram/pairing/approve': {scope: 'ids', body: () => ({code: 'ABCDEFGH'}), contract: pairingDecisionRequestSchema},
  'POST /v1/instances/:ref/channels/telegram/pairing/deny': {scope: 'ids', body: () => ({code: 'ABCDEFGH'}), contract: pairingDecisionRequestSchema},
  'GET /v1/account/export': {scope: 'self'},
  'GET /v1/logs': {scope: 'self'},
  'DELETE /v1/account': {scope: 'self', body: (o) => ({confirm_email: o.user.email}), contract: deleteAccountRequestSchema, destructive: true},
}

/** The case for a route, or a bodiless one for a route not listed yet (the inventory test fails on it). */
export const caseOf = (key: string): RouteCase => ROUTE_CASES[key] ?? {scope: 'ids'}
