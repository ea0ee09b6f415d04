import {abortResponseSchema, approveToolRequestSchema, approveToolResponseSchema, clearSessionsResponseSchema, createSessionRequestSchema, deleteSessionResponseSchema, listSessionsResponseSchema, messageIdSchema, sendMessageRequestSchema, sessionDetailSchema, sessionIdSchema, sessionSchema} from '../sessions.js'
import {pageQuerySchema} from '../page.js'
import {streamEventSchema} from '../stream.js'
import {defineRoute, FORWARDED, namesThing, type RawBody} from './define.js'
import {instanceParams} from './instances.js'

const base = '/v1/instances/:ref/sessions'
const session = {auth: 'bearer-or-session', params: instanceParams.extend({sid: sessionIdSchema.clone().register(namesThing, {what: 'session'})})} as const
const message = {...session, params: session.params.extend({mid: messageIdSchema.clone().register(namesThing, {what: 'message'})})} as const
/** A message's answer: Server-Sent Events, one stream event each (src/contract/stream.ts). */
export const eventStream: RawBody = {contentType: 'text/event-stream', schema: streamEventSchema}
const all = {auth: 'bearer-or-session', params: instanceParams} as const

/** Sessions (conversations) with an instance's agent, through the gateway (src/contract/sessions.ts). */
export const sessionsApi = {
  create: defineRoute({method: 'POST', path: base, summary: 'Start a session.', ...all, body: createSessionRequestSchema, responses: {201: sessionSchema}, errors: [...FORWARDED, 'validation_failed']}),
  list: defineRoute({method: 'GET', path: base, summary: 'Its sessions, oldest first, a page at a time.', ...all, query: pageQuerySchema, responses: {200: listSessionsResponseSchema}, errors: [...FORWARDED, 'validation_failed']}),
  clear: defineRoute({method: 'DELETE', path: base, summary: 'Delete every session.', ...all, responses: {200: clearSessionsResponseSchema}, errors: FORWARDED}),
  get: defineRoute({method: 'GET', path: `${base}/:sid`, summary: 'A session with its messages.', ...session, responses: {200: sessionDetailSchema}, errors: FORWARDED}),
  delete: defineRoute({method: 'DELETE', path: `${base}/:sid`, summary: 'Delete a session.', ...session, responses: {200: deleteSessionResponseSchema}, errors: FORWARDED}),
  send: defineRoute({
    method: 'POST', path: `${base}/:sid/messages`, summary: 'Send a message; the answer streams back as Server-Sent Events.', ...session, body: sendMessageRequestSchema,
    responses: {200: eventStream}, errors: [...FORWARDED, 'validation_failed', 'quota_exceeded', 'conflict'],
  }),
  resume: defineRoute({method: 'GET', path: `${base}/:sid/messages/:mid/events`, summary: 'Resume an answer’s stream after Last-Event-ID.', ...message, responses: {200: eventStream}, errors: FORWARDED}),
  abort: defineRoute({method: 'POST', path: `${base}/:sid/messages/:mid/abort`, summary: 'Stop an answer.', ...message, responses: {200: abortResponseSchema}, errors: FORWARDED}),
  approve: defineRoute({
    method: 'POST', path: `${base}/:sid/messages/:mid/approve`, summary: 'Approve or refuse a tool call that waits for a person.', ...message, body: approveToolRequestSchema,
    responses: {200: approveToolResponseSchema}, errors: [...FORWARDED, 'validation_failed'],
  }),
} as const
