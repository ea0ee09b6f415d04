import {z} from 'zod'
import {
  createInstanceRequestSchema,
  deleteInstanceResponseSchema,
  instanceEventsQuerySchema,
  instanceEventsResponseSchema,
  instanceRefSchema,
  instanceSchema,
  listInstancesResponseSchema,
  updateInstanceRequestSchema,
} from '../instances.js'
import {pageQuerySchema} from '../page.js'
import {setToolPolicyRequestSchema} from '../tool-policy.js'
import {defineRoute, SIGNED_IN} from './define.js'

/** `:ref` of every per-instance route: the instance's id or name. */
export const instanceParams = z.object({ref: instanceRefSchema})
const ref = '/v1/instances/:ref'

/** /v1/instances: the user's instances. Another user's id or name is simply not found. */
export const instancesApi = {
  create: defineRoute({
    method: 'POST',
    path: '/v1/instances',
    summary: 'Create an instance; it starts in the background (202, state `creating`).',
    auth: 'bearer',
    body: createInstanceRequestSchema,
    responses: {202: instanceSchema},
    errors: [...SIGNED_IN, 'validation_failed', 'already_exists', 'quota_exceeded', 'plan_forbids_tools'],
  }),
  list: defineRoute({
    method: 'GET',
    path: '/v1/instances',
    summary: 'The user’s instances, oldest first, a page at a time.',
    auth: 'bearer',
    query: pageQuerySchema,
    responses: {200: listInstancesResponseSchema},
    errors: [...SIGNED_IN, 'validation_failed'],
  }),
  get: defineRoute({
    method: 'GET',
    path: ref,
    summary: 'One instance, by id or name.',
    auth: 'bearer',
    params: instanceParams,
    responses: {200: instanceSchema},
    errors: [...SIGNED_IN, 'not_found'],
  }),
  update: defineRoute({
    method: 'PATCH',
    path: ref,
    summary: 'Change the instance’s default model.',
    auth: 'bearer',
    params: instanceParams,
    body: updateInstanceRequestSchema,
    responses: {200: instanceSchema},
    errors: [...SIGNED_IN, 'validation_failed', 'not_found'],
  }),
  setTools: defineRoute({
    method: 'PUT',
    path: `${ref}/tools`,
    summary: 'Replace the instance’s tool policy.',
    auth: 'bearer',
    params: instanceParams,
    body: setToolPolicyRequestSchema,
    responses: {200: instanceSchema},
    errors: [...SIGNED_IN, 'validation_failed', 'not_found', 'plan_forbids_tools'],
  }),
  pause: defineRoute({
    method: 'POST',
    path: `${ref}/pause`,
    summary: 'Pause the instance (202, state `pausing`).',
    auth: 'bearer',
    params: instanceParams,
    responses: {202: instanceSchema},
    errors: [...SIGNED_IN, 'not_found', 'wrong_state'],
  }),
  resume: defineRoute({
    method: 'POST',
    path: `${ref}/resume`,
    summary: 'Resume a paused instance (202, state `resuming`).',
    auth: 'bearer',
    params: instanceParams,
    responses: {202: instanceSchema},
    errors: [...SIGNED_IN, 'not_found', 'wrong_state', 'quota_exceeded'],
  }),
  delete: defineRoute({
    method: 'DELETE',
    path: ref,
    summary: 'Delete the instance and everything in it.',
    auth: 'bearer',
    params: instanceParams,
    responses: {200: deleteInstanceResponseSchema},
    errors: [...SIGNED_IN, 'not_found', 'wrong_state'],
  }),
  events: defineRoute({
    method: 'GET',
    path: `${ref}/events`,
    summary: 'The instance’s lifecycle events, oldest first.',
    auth: 'bearer',
    params: instanceParams,
    query: instanceEventsQuerySchema,
    responses: {200: instanceEventsResponseSchema},
    errors: [...SIGNED_IN, 'not_found'],
  }),
} as const
