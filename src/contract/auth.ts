import {z} from 'zod'
import {nextCursorSchema} from './page.js'
import {planAllowsSchema, planNameSchema} from './plans.js'

/**
 * OAuth 2.0 wire shapes: device authorization (RFC 8628), token responses and errors (RFC 6749),
 * revocation (RFC 7009) and server metadata (RFC 8414). Requests to /oauth/* are
 * application/x-www-form-urlencoded, as the RFCs say, so independent clients work as is.
 */
export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'
export const CLI_CLIENT_ID = 'clawd-cli'

export const oauthPaths = {
  metadata: '/.well-known/oauth-authorization-server',
  deviceAuthorization: '/oauth/device_authorization',
  token: '/oauth/token',
  revocation: '/oauth/revoke',
  /** Where a person enters or confirms the user code. */
  device: '/device',
} as const

/** A public client id: what the approval page shows as "which client asked". */
export const clientIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/)

export const deviceAuthorizationRequestSchema = z.object({
  client_id: clientIdSchema,
  scope: z.string().max(200).optional(),
})

export const deviceAuthorizationResponseSchema = z.object({
  device_code: z.string(),
  user_code: z.string().regex(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
  verification_uri: z.string().url(),
  verification_uri_complete: z.string().url(),
  expires_in: z.number().int().positive(),
  interval: z.number().int().positive(),
})
export type DeviceAuthorizationResponse = z.infer<typeof deviceAuthorizationResponseSchema>

export const tokenRequestSchema = z.discriminatedUnion('grant_type', [
  z.object({grant_type: z.literal(DEVICE_GRANT_TYPE), device_code: z.string().max(200), client_id: clientIdSchema}),
  z.object({grant_type: z.literal('refresh_token'), refresh_token: z.string().max(200), client_id: clientIdSchema.optional()}),
])

export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
  refresh_token: z.string(),
  scope: z.string().optional(),
})
export type TokenResponse = z.infer<typeof tokenResponseSchema>

export const OAUTH_ERRORS = [
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_grant',
  'invalid_request',
  'invalid_client',
  'unsupported_grant_type',
  /** An unexpected failure on the server (RFC 6749 §4.1.2.1); retrying later may work. */
  'server_error',
] as const
export const oauthErrorSchema = z.object({
  error: z.enum(OAUTH_ERRORS),
  error_description: z.string().optional(),
})
export type OAuthError = z.infer<typeof oauthErrorSchema>

export const revocationRequestSchema = z.object({
  token: z.string().max(200),
  token_type_hint: z.enum(['access_token', 'refresh_token']).optional(),
  client_id: clientIdSchema.optional(),
})

export const serverMetadataSchema = z.looseObject({
  issuer: z.string().url(),
  device_authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  revocation_endpoint: z.string().url(),
  grant_types_supported: z.array(z.string()),
})

/** Token kinds, as they appear in the token prefix `clawd_<kind>_`. */
export const tokenKindSchema = z.enum(['at', 'rt', 'pat'])
export type TokenKind = z.infer<typeof tokenKindSchema>

/** GET /v1/me */
export const meResponseSchema = z.object({
  id: z.string(),
  email: z.string(),
  plan: z.string(),
  /** What the plan allows (messages a day, streams, tools). */
  plan_allows: planAllowsSchema,
  created_at: z.string(),
  /** The credential this request used. */
  token: z.object({id: z.string(), kind: tokenKindSchema, expires_at: z.string().nullable()}),
})
export type MeResponse = z.infer<typeof meResponseSchema>

/** POST /v1/tokens: a personal API token for CI. */
export const createTokenRequestSchema = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[\w .:@-]+$/, 'letters, digits, space and . _ : @ - only'),
  /** Lifetime in days; absent means it never expires. */
  expires_in_days: z.number().int().min(1).max(3650).optional(),
})
export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
})
export type ApiToken = z.infer<typeof apiTokenSchema>
/** The plaintext token is in this response only: it is never shown again. */
export const createTokenResponseSchema = apiTokenSchema.extend({token: z.string()})
export type CreateTokenResponse = z.infer<typeof createTokenResponseSchema>
/** GET /v1/tokens: newest first, a page at a time (`?limit=&cursor=`, src/contract/page.ts). */
export const listTokensResponseSchema = z.object({tokens: z.array(apiTokenSchema), next_cursor: nextCursorSchema})

/** Operator routes on the admin socket. */
export const adminCreateUserRequestSchema = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(8).max(1024),
  plan: planNameSchema.optional(),
})
export const adminUserSchema = z.object({id: z.string(), email: z.string(), plan: z.string(), created_at: z.string()})
/** POST /admin/users/plan: `clawd server users plan EMAIL PLAN`. */
export const adminSetPlanRequestSchema = z.strictObject({
  email: z.email().max(254),
  plan: planNameSchema,
})
export const adminSetPlanResponseSchema = adminUserSchema.extend({previous_plan: z.string()})

/**
 * Invite codes (`clawd server invites create`): a code signs a new account up into its plan on
 * the sign-up page. The code is in the create response only; the server keeps its HMAC.
 */
export const adminCreateInviteRequestSchema = z.strictObject({
  plan: planNameSchema.optional(),
  /** How many sign-ups the code allows. */
  uses: z.number().int().min(1).max(10_000).optional(),
  /** Lifetime in seconds. */
  expires_in_sec: z.number().int().min(60).max(365 * 24 * 3600).optional(),
})
export const inviteSchema = z.object({
  id: z.string(),
  plan: z.string(),
  max_uses: z.number().int(),
  uses: z.number().int(),
  created_at: z.string(),
  expires_at: z.string(),
})
export const adminCreateInviteResponseSchema = inviteSchema.extend({code: z.string()})
/** GET /admin/invites: every invite, newest first, never a code. */
export const listInvitesResponseSchema = z.object({
  invites: z.array(inviteSchema.extend({state: z.enum(['active', 'used', 'expired'])})),
})
export const adminApproveRequestSchema = z.strictObject({
  user_code: z.string().max(16),
  email: z.email().max(254),
})
export const adminApproveResponseSchema = z.object({
  user_code: z.string(),
  client_id: z.string(),
  client_ip: z.string().nullable(),
  requested_at: z.string(),
  email: z.string(),
})
