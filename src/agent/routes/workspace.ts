import {isWorkspaceBody, WORKSPACE_PUSH_MAX_BODY_BYTES} from '../../contract/workspace-limits.js'
import {agentEndpoints} from '../../contract/agent-endpoints.js'
import {AgentError, reply, route} from '../router.js'
import {WorkspaceStore} from '../workspace-store.js'

/**
 * GET /workspace → {files}; PUT /workspace {files} replaces the whole workspace.
 *
 * The API checks a push before it forwards it; the agent checks it again because it is a boundary
 * too (its socket answers only the gateway, but a bug there must not write a traversal path or a
 * secret into the vault). The body's shape is checked without zod (the agent never loads it), and
 * the rules are imported on the first push rather than at start-up: most agents never see one, and
 * memory per instance is the budget that matters.
 */

export const getWorkspaceRoute = route(agentEndpoints.getWorkspace, async (call) => ({files: await new WorkspaceStore(call.agent.vault).files()}))

export const putWorkspaceRoute = route(agentEndpoints.putWorkspace, async (call) => {
  const body = await call.json(WORKSPACE_PUSH_MAX_BODY_BYTES)
  if (!isWorkspaceBody(body)) throw AgentError.badRequest('The workspace is malformed.')
  const {validateWorkspace} = await import('../../workspace/validate.js')
  const check = validateWorkspace(body.files)
  if (check.rejected.length > 0 || check.skipped.length > 0 || check.accepted.length === 0) {
    return reply(422, {
      type: 'about:blank',
      title: 'Workspace refused',
      status: 422,
      code: 'validation_failed',
      detail: 'The workspace breaks the workspace rules; nothing was changed.',
      rejected: check.rejected,
      skipped: check.skipped,
    })
  }
  await new WorkspaceStore(call.agent.vault).replace(check.accepted)
  call.agent.log('info', 'workspace replaced', {files: check.accepted.length})
  return {applied: check.accepted.map((f) => f.path)}
})
