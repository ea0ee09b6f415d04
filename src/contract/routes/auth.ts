import {z} from 'zod'
import {apiTokenSchema, createTokenRequestSchema, createTokenResponseSchema, deviceAuthorizationRequestSchema, deviceAuthorizationResponseSchema, listTokensResponseSchema, meResponseSchema, oauthErrorSchema, oauthPaths, revocationRequestSchema, serverMetadataSchema, tokenRequestSchema, tokenResponseSchema} from '../auth.js'
import {pageQuerySchema} from '../page.js'
import {defineRoute, SIGNED_IN} from './define.js'

/** The OAuth endpoints take forms, as the RFCs say, and answer RFC 6749 errors, never problem+json. */
const form = {method: 'POST', auth: 'none', bodyTypes: ['application/x-www-form-urlencoded'], errors: []} as const
const oauthErrors = {400: oauthErrorSchema, 401: oauthErrorSchema, 429: oauthErrorSchema, 500: oauthErrorSchema}

/** OAuth 2.0 for the CLI and any standard client (src/contract/auth.ts). */
export const oauthApi = {
  metadata: defineRoute({method: 'GET', path: oauthPaths.metadata, summary: 'RFC 8414 authorization server metadata.', auth: 'none', responses: {200: serverMetadataSchema}, errors: []}),
  deviceAuthorization: defineRoute({
    ...form, path: oauthPaths.deviceAuthorization, summary: 'RFC 8628: start a device sign-in; a person confirms the user code in a browser.',
    body: deviceAuthorizationRequestSchema, responses: {200: deviceAuthorizationResponseSchema, ...oauthErrors},
  }),
  token: defineRoute({...form, path: oauthPaths.token, summary: 'The device_code grant, and rotating refresh tokens.', body: tokenRequestSchema, responses: {200: tokenResponseSchema, ...oauthErrors}}),
  revoke: defineRoute({...form, path: oauthPaths.revocation, summary: 'RFC 7009: revoke a token (200 whether or not it was known).', body: revocationRequestSchema, responses: {200: null, ...oauthErrors}}),
} as const

/** The signed-in account, and its personal API tokens for CI. */
export const meApi = {
  get: defineRoute({method: 'GET', path: '/v1/me', summary: 'The account and the credential this request used.', auth: 'bearer', responses: {200: meResponseSchema}, errors: SIGNED_IN}),
} as const

export const tokensApi = {
  create: defineRoute({
    method: 'POST', path: '/v1/tokens', summary: 'Create an API token; the token is in this answer only.', auth: 'bearer', body: createTokenRequestSchema,
    responses: {201: createTokenResponseSchema}, errors: [...SIGNED_IN, 'validation_failed', 'quota_exceeded'],
  }),
  list: defineRoute({
    method: 'GET', path: '/v1/tokens', summary: 'The API tokens, newest first, a page at a time (never the token).', auth: 'bearer', query: pageQuerySchema,
    responses: {200: listTokensResponseSchema}, errors: [...SIGNED_IN, 'validation_failed'],
  }),
  revoke: defineRoute({
    method: 'DELETE', path: '/v1/tokens/:id', summary: 'Revoke an API token.', auth: 'bearer', params: z.strictObject({id: apiTokenSchema.shape.id.max(64)}),
    responses: {204: null}, errors: [...SIGNED_IN, 'validation_failed', 'not_found'],
  }),
} as const
