import {z} from 'zod'
import {
  adminApproveRequestSchema,
  adminApproveResponseSchema,
  adminCreateInviteRequestSchema,
  adminCreateInviteResponseSchema,
  adminCreateUserRequestSchema,
  adminSetPlanRequestSchema,
  adminSetPlanResponseSchema,
  adminUserSchema,
  listInvitesResponseSchema,
} from '../auth.js'
import {drainRequestSchema, drainResponseSchema} from '../replicas.js'
import {createIncidentRequestSchema, incidentIdSchema, incidentSchema, resolveIncidentRequestSchema, updateIncidentRequestSchema} from '../status.js'
import {ALWAYS, defineRoute} from './define.js'

/** Operator routes, on the admin socket in the data dir only (never the network port). */
const ADMIN = [...ALWAYS, 'validation_failed'] as const
const incidentParams = z.object({id: incidentIdSchema})

export const adminApi = {
  health: defineRoute({method: 'GET', path: '/admin/healthz', summary: 'The admin socket answers.', auth: 'admin-socket', responses: {200: z.object({status: z.literal('ok')})}, errors: ALWAYS}),
  createUser: defineRoute({
    method: 'POST',
    path: '/admin/users',
    summary: 'Create an account (`clawd server users create`).',
    auth: 'admin-socket',
    body: adminCreateUserRequestSchema,
    responses: {201: adminUserSchema},
    errors: [...ADMIN, 'already_exists'],
  }),
  setPlan: defineRoute({
    method: 'POST',
    path: '/admin/users/plan',
    summary: 'Move an account to another plan.',
    auth: 'admin-socket',
    body: adminSetPlanRequestSchema,
    responses: {200: adminSetPlanResponseSchema},
    errors: [...ADMIN, 'not_found'],
  }),
  approveDevice: defineRoute({
    method: 'POST',
    path: '/admin/device/approve',
    summary: 'Approve a device sign-in for an account, without a browser.',
    auth: 'admin-socket',
    body: adminApproveRequestSchema,
    responses: {200: adminApproveResponseSchema},
    errors: [...ADMIN, 'not_found'],
  }),
  createInvite: defineRoute({
    method: 'POST',
    path: '/admin/invites',
    summary: 'Create an invite code; the code is in this answer only.',
    auth: 'admin-socket',
    body: adminCreateInviteRequestSchema,
    responses: {201: adminCreateInviteResponseSchema},
    errors: ADMIN,
  }),
  listInvites: defineRoute({method: 'GET', path: '/admin/invites', summary: 'Every invite, newest first (never a code).', auth: 'admin-socket', responses: {200: listInvitesResponseSchema}, errors: ALWAYS}),
  createIncident: defineRoute({
    method: 'POST',
    path: '/admin/incidents',
    summary: 'Announce an incident on the status page.',
    auth: 'admin-socket',
    body: createIncidentRequestSchema,
    responses: {201: incidentSchema},
    errors: ADMIN,
  }),
  updateIncident: defineRoute({
    method: 'POST',
    path: '/admin/incidents/:id/updates',
    summary: 'Add an update to an open incident.',
    auth: 'admin-socket',
    params: incidentParams,
    body: updateIncidentRequestSchema,
    responses: {200: incidentSchema},
    errors: [...ADMIN, 'not_found'],
  }),
  resolveIncident: defineRoute({
    method: 'POST',
    path: '/admin/incidents/:id/resolve',
    summary: 'Resolve an incident.',
    auth: 'admin-socket',
    params: incidentParams,
    body: resolveIncidentRequestSchema,
    responses: {200: incidentSchema},
    errors: [...ADMIN, 'not_found'],
  }),
  drain: defineRoute({
    method: 'POST',
    path: '/admin/drain',
    summary: 'Move every instance this replica runs to the others (`clawd server drain`).',
    auth: 'admin-socket',
    body: drainRequestSchema,
    responses: {200: drainResponseSchema},
    errors: [...ADMIN, 'conflict'],
  }),
} as const
