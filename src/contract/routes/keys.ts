import {deleteKeyResponseSchema, instancePublicKeySchema, keyNameSchema, keyUploadSchema, listKeysResponseSchema, putKeyResponseSchema} from '../keys.js'
import {defineRoute, FOUND, namesThing} from './define.js'
import {instanceParams} from './instances.js'

const keys = '/v1/instances/:ref/keys'

/** BYOK keys: sealed on the user's machine to the instance's public key (DESIGN §1). */
export const keysApi = {
  publicKey: defineRoute({
    method: 'GET', path: '/v1/instances/:ref/public-key', summary: 'The instance’s public key to seal keys to; served from the store, also while paused.', auth: 'bearer', params: instanceParams,
    responses: {200: instancePublicKeySchema}, errors: [...FOUND, 'wrong_state'],
  }),
  list: defineRoute({method: 'GET', path: keys, summary: 'Its keys by name and fingerprint (never the key).', auth: 'bearer', params: instanceParams, responses: {200: listKeysResponseSchema}, errors: FOUND}),
  put: defineRoute({
    method: 'PUT', path: `${keys}/:name`, summary: 'Store a sealed key; the instance opens it to prove it good.', auth: 'bearer-or-session', params: instanceParams.extend({name: keyNameSchema}), body: keyUploadSchema,
    responses: {200: putKeyResponseSchema}, errors: [...FOUND, 'validation_failed', 'conflict', 'forbidden'],
  }),
  delete: defineRoute({
    method: 'DELETE', path: `${keys}/:name`, summary: 'Delete a key; its version stays taken, so an old upload cannot come back.', auth: 'bearer',
    params: instanceParams.extend({name: keyNameSchema.clone().register(namesThing, {what: 'key'})}), responses: {200: deleteKeyResponseSchema}, errors: FOUND,
  }),
} as const
