import {deleteKeyResponseSchema, instancePublicKeySchema, keyNameSchema, keyUploadSchema, listKeysResponseSchema, putKeyResponseSchema} from '../keys.js'
import {defineRoute, SIGNED_IN} from './define.js'
import {instanceParams} from './instances.js'

const keyParams = instanceParams.extend({name: keyNameSchema})

/** BYOK keys: sealed on the user's machine to the instance's public key (DESIGN §1). */
export const keysApi = {
  publicKey: defineRoute({
    method: 'GET',
    path: '/v1/instances/:ref/public-key',
    summary: 'The instance’s public key to seal keys to; served from the store, also while paused.',
    auth: 'bearer',
    params: instanceParams,
    responses: {200: instancePublicKeySchema},
    errors: [...SIGNED_IN, 'not_found', 'wrong_state'],
  }),
  list: defineRoute({
    method: 'GET',
    path: '/v1/instances/:ref/keys',
    summary: 'The instance’s keys by name and fingerprint (never the key).',
    auth: 'bearer',
    params: instanceParams,
    responses: {200: listKeysResponseSchema},
    errors: [...SIGNED_IN, 'not_found'],
  }),
  put: defineRoute({
    method: 'PUT',
    path: '/v1/instances/:ref/keys/:name',
    summary: 'Store a sealed key; the instance opens it to prove it good.',
    auth: 'bearer-or-session',
    params: keyParams,
    body: keyUploadSchema,
    responses: {200: putKeyResponseSchema},
    errors: [...SIGNED_IN, 'validation_failed', 'not_found', 'conflict', 'forbidden'],
  }),
  delete: defineRoute({
    method: 'DELETE',
    path: '/v1/instances/:ref/keys/:name',
    summary: 'Delete a key; its version stays reserved so an old upload cannot come back.',
    auth: 'bearer',
    params: keyParams,
    responses: {200: deleteKeyResponseSchema},
    errors: [...SIGNED_IN, 'not_found'],
  }),
} as const
