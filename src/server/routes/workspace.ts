import type {FastifyInstance, FastifyReply} from 'fastify'
import {PROBLEM_CONTENT_TYPE} from '../../contract/problem.js'
import {api} from '../../contract/routes/index.js'
import {WORKSPACE_TAR_CONTENT_TYPE, type PushWorkspaceRefused} from '../../contract/workspace-push.js'
import {WORKSPACE_PUSH_MAX_BODY_BYTES} from '../../contract/workspace.js'
import {pushResponse, type WorkspaceCheck} from '../../workspace/validate.js'
import {readWorkspace} from '../account/agent-data.js'
import type {ServerContext} from '../context.js'
import {applyWorkspacePush, checkJson, checkTar} from '../instances/workspace-push.js'
import {serveRoutes} from '../serve.js'

/**
 * /v1/instances/:ref/workspace: the agent's markdown workspace (OpenClaw layout).
 *
 * A push runs the same rules as `clawd config push` (src/workspace/), here at the endpoint, so a
 * client that skips the CLI gets the same answer: traversal, absolute paths, links and devices
 * (tar bodies), bytes that are not UTF-8, oversize files and secrets are rejected with reasons;
 * unknown names are listed as skipped. It replaces the whole workspace in one write in the agent,
 * and only when nothing is rejected, so a push is applied completely or not at all.
 */
export async function workspaceRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const manager = ctx.instances

  serveRoutes(app, ctx)(api.workspace.get, async (req) => {
    const userId = req.auth!.userId
    const row = await manager.ensureRunning(userId, (await manager.owned(userId, req.params.ref)).id)
    return {files: await readWorkspace(manager, row.id)}
  })

  // Encapsulated, so the tar body parser applies to this route only.
  await app.register(async (scoped) => {
    scoped.addContentTypeParser(WORKSPACE_TAR_CONTENT_TYPE, {parseAs: 'buffer', bodyLimit: WORKSPACE_PUSH_MAX_BODY_BYTES}, (_req, body, done) => done(null, body))

    const push = serveRoutes(scoped, ctx)
    push(api.workspace.push, async (req, reply) => {
      const userId = req.auth!.userId
      const instance = await manager.owned(userId, req.params.ref)
      const check = Buffer.isBuffer(req.body) ? checkTar(req.body) : checkJson(req.body.files)
      const outcome = await applyWorkspacePush(ctx, userId, instance.id, check)
      if (!outcome.ok) return refuse(reply, outcome.check, outcome.detail)
      return outcome.response
    }, {bodyLimit: WORKSPACE_PUSH_MAX_BODY_BYTES})
  })
}

function refuse(reply: FastifyReply, check: WorkspaceCheck, detail: string): FastifyReply {
  const body: PushWorkspaceRefused = {
    type: 'https://clawd.dev/problems/validation_failed',
    title: 'Workspace refused',
    status: 422,
    code: 'validation_failed',
    detail,
    hint: 'Fix the files listed in `rejected` and push again; every file is applied or none is.',
    ...pushResponse(check, []),
  }
  return reply.code(422).type(PROBLEM_CONTENT_TYPE).send(body)
}
