import {z} from 'zod'
import {
  apiTokenSchema,
  createTokenRequestSchema,
  createTokenResponseSchema,
  deviceAuthorizationRequestSchema,
  deviceAuthorizationResponseSchema,
  listTokensResponseSchema,
  meResponseSchema,
  oauthErrorSchema,
  oauthPaths,
  revocationRequestSchema,
  serverMetadataSchema,
  tokenRequestSchema,
  tokenResponseSchema,
} from '../auth.js'
import {pageQuerySchema} from '../page.js'
import {defineRoute, SIGNED_IN} from './define.js'

/** The OAuth endpoints answer RFC 6749 errors, never problem+json. */
const OAUTH_FORM = ['application/x-www-form-urlencoded']
const oauthErrors = {400: oauthErrorSchema, 401: oauthErrorSchema, 429: oauthErrorSchema, 500: oauthErrorSchema}

/** OAuth 2.0 for the CLI and any standard client (src/contract/auth.ts), form-encoded as the RFCs say. */
export const oauthApi = {
  metadata: defineRoute({
    method: 'GET',
    path: oauthPaths.metadata,
    summary: 'RFC 8414 authorization server metadata.',
    auth: 'none',
    responses: {200: serverMetadataSchema},
    errors: [],
  }),
  deviceAuthorization: defineRoute({
    method: 'POST',
    path: oauthPaths.deviceAuthorization,
    summary: 'RFC 8628: start a device sign-in; a person confirms the user code in a browser.',
    auth: 'none',
    body: deviceAuthorizationRequestSchema,
    bodyTypes: OAUTH_FORM,
    responses: {200: deviceAuthorizationResponseSchema, ...oauthErrors},
    errors: [],
  }),
  token: defineRoute({
    method: 'POST',
    path: oauthPaths.token,
    summary: 'The token endpoint: the device_code grant and rotating refresh tokens.',
    auth: 'none',
    body: tokenRequestSchema,
    bodyTypes: OAUTH_FORM,
    responses: {200: tokenResponseSchema, ...oauthErrors},
    errors: [],
  }),
  revoke: defineRoute({
    method: 'POST',
    path: oauthPaths.revocation,
    summary: 'RFC 7009: revoke a refresh or access token (200 whether or not it was known).',
    auth: 'none',
    body: revocationRequestSchema,
    bodyTypes: OAUTH_FORM,
    responses: {200: null, ...oauthErrors},
    errors: [],
  }),
} as const

/** The signed-in account and its personal API tokens. */
export const meApi = {
  get: defineRoute({
    method: 'GET',
    path: '/v1/me',
    summary: 'The account and the credential this request used.',
    auth: 'bearer',
    responses: {200: meResponseSchema},
    errors: SIGNED_IN,
  }),
} as const

export const tokensApi = {
  create: defineRoute({
    method: 'POST',
    path: '/v1/tokens',
    summary: 'Create a personal API token for CI; the token is in this answer only.',
    auth: 'bearer',
    body: createTokenRequestSchema,
    responses: {201: createTokenResponseSchema},
    errors: [...SIGNED_IN, 'validation_failed', 'quota_exceeded'],
  }),
  list: defineRoute({
    method: 'GET',
    path: '/v1/tokens',
    summary: 'The account’s API tokens, newest first, a page at a time (never the token).',
    auth: 'bearer',
    query: pageQuerySchema,
    responses: {200: listTokensResponseSchema},
    errors: [...SIGNED_IN, 'validation_failed'],
  }),
  revoke: defineRoute({
    method: 'DELETE',
    path: '/v1/tokens/:id',
    summary: 'Revoke an API token.',
    auth: 'bearer',
    params: z.strictObject({id: apiTokenSchema.shape.id.max(64)}),
    responses: {204: null},
    errors: [...SIGNED_IN, 'validation_failed', 'not_found'],
  }),
} as const
