import {z} from 'zod'
import {createInstanceRequestSchema, deleteInstanceResponseSchema, instanceEventsQuerySchema, instanceEventsResponseSchema, instanceRefSchema, instanceSchema, listInstancesResponseSchema, updateInstanceRequestSchema} from '../instances.js'
import {pageQuerySchema} from '../page.js'
import {toolPolicySchema} from '../tool-policy.js'
import {defineRoute, FOUND, namesThing, SIGNED_IN} from './define.js'

/** `:ref` of every per-instance route: the instance's id or name. */
export const instanceParams = z.object({
  ref: instanceRefSchema.meta({description: 'The instance’s id or name.'}).register(namesThing, {what: 'instance', hint: 'See your instances with `clawd instance list`.'}),
})
const ref = '/v1/instances/:ref'
const one = {auth: 'bearer', params: instanceParams} as const

/** /v1/instances: the user's instances. Another user's id or name is simply not found. */
export const instancesApi = {
  create: defineRoute({
    method: 'POST', path: '/v1/instances', summary: 'Create an instance; it starts in the background (state `creating`).', auth: 'bearer', body: createInstanceRequestSchema,
    responses: {202: instanceSchema}, errors: [...SIGNED_IN, 'validation_failed', 'already_exists', 'quota_exceeded', 'plan_forbids_tools'],
  }),
  list: defineRoute({method: 'GET', path: '/v1/instances', summary: 'The user’s instances, oldest first, a page at a time.', auth: 'bearer', query: pageQuerySchema, responses: {200: listInstancesResponseSchema}, errors: [...SIGNED_IN, 'validation_failed']}),
  get: defineRoute({method: 'GET', path: ref, summary: 'One instance, by id or name.', ...one, responses: {200: instanceSchema}, errors: FOUND}),
  update: defineRoute({method: 'PATCH', path: ref, summary: 'Change its default model.', ...one, body: updateInstanceRequestSchema, responses: {200: instanceSchema}, errors: [...FOUND, 'validation_failed']}),
  setTools: defineRoute({
    method: 'PUT', path: `${ref}/tools`, summary: 'Replace its tool policy.', ...one, body: toolPolicySchema,
    responses: {200: instanceSchema}, errors: [...FOUND, 'validation_failed', 'plan_forbids_tools'],
  }),
  pause: defineRoute({method: 'POST', path: `${ref}/pause`, summary: 'Pause it (state `pausing`).', ...one, responses: {202: instanceSchema}, errors: [...FOUND, 'wrong_state']}),
  resume: defineRoute({method: 'POST', path: `${ref}/resume`, summary: 'Resume it (state `resuming`).', ...one, responses: {202: instanceSchema}, errors: [...FOUND, 'wrong_state', 'quota_exceeded']}),
  delete: defineRoute({method: 'DELETE', path: ref, summary: 'Delete it and everything in it.', ...one, responses: {200: deleteInstanceResponseSchema}, errors: [...FOUND, 'wrong_state']}),
  events: defineRoute({method: 'GET', path: `${ref}/events`, summary: 'Its lifecycle events, oldest first.', ...one, query: instanceEventsQuerySchema, responses: {200: instanceEventsResponseSchema}, errors: FOUND}),
} as const
