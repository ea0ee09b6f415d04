import {z} from 'zod'
import {adminApproveRequestSchema, adminApproveResponseSchema, adminCreateInviteRequestSchema, adminCreateInviteResponseSchema, adminCreateUserRequestSchema, adminSetPlanRequestSchema, adminSetPlanResponseSchema, adminUserSchema, listInvitesResponseSchema} from '../auth.js'
import {drainRequestSchema, drainResponseSchema} from '../replicas.js'
import {createIncidentRequestSchema, incidentIdSchema, incidentSchema, resolveIncidentRequestSchema, updateIncidentRequestSchema} from '../status.js'
import {ALWAYS, defineRoute, namesThing} from './define.js'

/** Operator routes, on the admin socket in the data dir only (never the network port). */
const admin = {method: 'POST', auth: 'admin-socket', errors: [...ALWAYS, 'validation_failed', 'not_found', 'conflict', 'already_exists']} as const
const incident = {
  ...admin,
  params: z.object({id: incidentIdSchema.clone().register(namesThing, {what: 'open incident', hint: 'See the incidents with `clawd status`; a resolved one takes no more updates, so create a new one.'})}),
} as const

export const adminApi = {
  health: defineRoute({...admin, method: 'GET', path: '/admin/healthz', summary: 'The admin socket answers.', responses: {200: z.object({status: z.literal('ok')})}}),
  createUser: defineRoute({...admin, path: '/admin/users', summary: 'Create an account.', body: adminCreateUserRequestSchema, responses: {201: adminUserSchema}}),
  setPlan: defineRoute({...admin, path: '/admin/users/plan', summary: 'Move an account to another plan.', body: adminSetPlanRequestSchema, responses: {200: adminSetPlanResponseSchema}}),
  approveDevice: defineRoute({...admin, path: '/admin/device/approve', summary: 'Approve a device sign-in, without a browser.', body: adminApproveRequestSchema, responses: {200: adminApproveResponseSchema}}),
  createInvite: defineRoute({...admin, path: '/admin/invites', summary: 'Create an invite code (in this answer only).', body: adminCreateInviteRequestSchema, responses: {201: adminCreateInviteResponseSchema}}),
  listInvites: defineRoute({...admin, method: 'GET', path: '/admin/invites', summary: 'Every invite, newest first (never a code).', responses: {200: listInvitesResponseSchema}}),
  createIncident: defineRoute({...admin, path: '/admin/incidents', summary: 'Announce an incident on the status page.', body: createIncidentRequestSchema, responses: {201: incidentSchema}}),
  updateIncident: defineRoute({...incident, path: '/admin/incidents/:id/updates', summary: 'Add an update to an open incident.', body: updateIncidentRequestSchema, responses: {200: incidentSchema}}),
  resolveIncident: defineRoute({...incident, path: '/admin/incidents/:id/resolve', summary: 'Resolve an incident.', body: resolveIncidentRequestSchema, responses: {200: incidentSchema}}),
  drain: defineRoute({...admin, path: '/admin/drain', summary: 'Move every instance this replica runs to the others.', body: drainRequestSchema, responses: {200: drainResponseSchema}}),
} as const
