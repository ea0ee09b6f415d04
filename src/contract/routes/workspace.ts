import {pushWorkspaceRefusedSchema, pushWorkspaceRequestSchema, WORKSPACE_TAR_CONTENT_TYPE} from '../workspace-push.js'
import {pushWorkspaceResponseSchema, workspaceSchema} from '../workspace.js'
import {defineRoute, FORWARDED} from './define.js'
import {instanceParams} from './instances.js'

const path = '/v1/instances/:ref/workspace'

/** The agent's markdown workspace (src/contract/workspace.ts, workspace-push.ts). */
export const workspaceApi = {
  get: defineRoute({method: 'GET', path, summary: 'Every file of the workspace.', auth: 'bearer', params: instanceParams, responses: {200: workspaceSchema}, errors: FORWARDED}),
  push: defineRoute({
    method: 'PUT', path, summary: 'Replace the whole workspace, atomically; refused whole (422) when any file is.', auth: 'bearer-or-session', params: instanceParams,
    body: pushWorkspaceRequestSchema, bodyTypes: ['application/json', WORKSPACE_TAR_CONTENT_TYPE],
    responses: {200: pushWorkspaceResponseSchema, 422: pushWorkspaceRefusedSchema}, errors: [...FORWARDED, 'validation_failed'],
  }),
} as const
