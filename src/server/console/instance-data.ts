import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {keyNameSchema} from '../../contract/keys.js'
import {WORKSPACE_PUSH_MAX_BODY_BYTES, type WorkspaceRejection} from '../../contract/workspace.js'
import {workspaceTar} from '../../workspace/archive.js'
import {planExport} from '../../workspace/validate.js'
import {readWorkspace} from '../account/agent-data.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {applyWorkspacePush, checkJson} from '../instances/workspace-push.js'
import {deleteInstanceKey} from '../keys/delete.js'
import {listKeys} from '../keys/repo.js'
import {field, queryParam} from '../pages/forms.js'
import {backTo, ownInstance, problemText, type Ref, sendInstancePage, type Visitor, visitorRoutes} from './guard.js'
import {keysView, workspaceView} from './views/instance-data.js'

type KeyRef = {Params: Ref['Params'] & {name: string}}

/** The script modules these pages load; the CSP lets them (and only them) run. */
export const SEAL_KEY_SCRIPT = '/assets/console/seal-key.js'
export const UPLOAD_TAR_SCRIPT = '/assets/console/upload-tar.js'

/**
 * One instance's workspace (view, edit, upload, export) and keys (list, delete; setting one is
 * the browser's job: seal-key.js seals it and PUTs it to the same /v1 route the CLI uses).
 */
export async function consoleInstanceDataPages(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const on = visitorRoutes(app, ctx)
  const manager = ctx.instances
  const renderWorkspace = async (
    req: FastifyRequest,
    reply: FastifyReply,
    v: Visitor,
    ref: string,
    status: number,
    state: {path?: string; content?: string; error?: string; rejected?: readonly WorkspaceRejection[]} = {},
  ) => {
    const userId = v.session.userId
    const row = await manager.ensureRunning(userId, (await ownInstance(ctx, userId, ref)).id)
    const files = (await readWorkspace(manager, row.id)).sort((a, b) => (a.path < b.path ? -1 : 1))
    const wanted = state.path ?? queryParam(req, 'file', 200) ?? (files.some((f) => f.path === 'SOUL.md') ? 'SOUL.md' : files[0]?.path ?? '')
    const existing = files.find((f) => f.path === wanted)
    const selected = {path: wanted, content: state.content ?? existing?.content ?? '', exists: existing !== undefined}
    const body = workspaceView({csrf: v.csrf, instance: row, files, selected, done: queryParam(req, 'done', 32), error: state.error, rejected: state.rejected})
    return sendInstancePage(reply, v, status, `${row.name}: workspace`, body, [UPLOAD_TAR_SCRIPT])
  }

  on.get<Ref>('/instances/:ref/workspace', (req, reply, v) => renderWorkspace(req, reply, v, req.params.ref, 200))

  // A workspace file may be 2 MiB, more than the sign-in forms' limit; URL-encoding can triple it.
  on.post<Ref>('/instances/:ref/workspace/file', async (req, reply, v) => {
    const userId = v.session.userId
    const row = await ownInstance(ctx, userId, req.params.ref)
    const path = field(req, 'path', 200).trim()
    // Browsers send a textarea's line breaks as CRLF (HTML §4.10.11); the workspace uses LF.
    const content = field(req, 'content', WORKSPACE_PUSH_MAX_BODY_BYTES).replace(/\r\n?/g, '\n')
    await manager.ensureRunning(userId, row.id)
    const current = await readWorkspace(manager, row.id)
    const files = [...current.filter((f) => f.path !== path), {path, content}]
    // The same checks and the same whole-workspace write as PUT /v1/instances/:ref/workspace.
    const outcome = await applyWorkspacePush(ctx, userId, row.id, checkJson(files))
    if (!outcome.ok) {
      const mine = outcome.check.rejected.filter((r) => r.path === path)
      return renderWorkspace(req, reply, v, row.id, 422, {path, content, error: outcome.detail, rejected: mine.length > 0 ? mine : outcome.check.rejected})
    }
    if (outcome.response.skipped.some((s) => s.path === path)) {
      const why = outcome.response.skipped.find((s) => s.path === path)!.message
      return renderWorkspace(req, reply, v, row.id, 422, {path, content, error: `${path} was not saved: ${why}`})
    }
    return reply.redirect(`/instances/${row.id}/workspace?file=${encodeURIComponent(path)}&done=saved`, 303)
  }, {bodyLimit: 3 * WORKSPACE_PUSH_MAX_BODY_BYTES})

  on.get<Ref>('/instances/:ref/export.tar', async (req, reply, v) => {
    const row = await manager.ensureRunning(v.session.userId, (await ownInstance(ctx, v.session.userId, req.params.ref)).id)
    // The rules `clawd export` applies: a workspace holding a secret is not exported.
    const plan = planExport(await readWorkspace(manager, row.id))
    if (!plan.ok) {
      const first = plan.rejected[0]
      throw ApiError.validation(`The export was refused: ${first ? `${first.path}: ${first.message}` : 'a file breaks the export rules'}.`, 'Fix the file on the Workspace page, then download again.')
    }
    return reply
      .header('content-disposition', `attachment; filename="${row.name}-workspace.tar"`)
      .type('application/x-tar')
      .send(workspaceTar(plan.files))
  })

  const renderKeys = async (req: FastifyRequest, reply: FastifyReply, v: Visitor, ref: string, status: number, error?: string) => {
    const userId = v.session.userId
    const row = await ownInstance(ctx, userId, ref)
    const keys = await ctx.db.asUser(userId, (q) => listKeys(q, row.id))
    const body = keysView({
      csrf: v.csrf,
      instance: {id: row.id, name: row.name, state: row.state, kid: row.kid, publicKey: row.public_key},
      userId,
      keys,
      now: ctx.clock.now(),
      done: queryParam(req, 'done', 32),
      error,
    })
    return sendInstancePage(reply, v, status, `${row.name}: keys`, body, [SEAL_KEY_SCRIPT])
  }

  on.get<Ref>('/instances/:ref/keys', (req, reply, v) => renderKeys(req, reply, v, req.params.ref, 200))

  on.post<KeyRef>('/instances/:ref/keys/:name/delete', async (req, reply, v) => {
    const row = await ownInstance(ctx, v.session.userId, req.params.ref)
    if (!keyNameSchema.safeParse(req.params.name).success) throw ApiError.notFound('key')
    try {
      await deleteInstanceKey(ctx, v.session.userId, row.id, req.params.name)
    } catch (error) {
      if (error instanceof ApiError && error.status !== 404 && error.status < 500) return renderKeys(req, reply, v, row.id, error.status, problemText(error))
      throw error
    }
    return backTo(reply, `/instances/${row.id}/keys`, 'deleted')
  })
}
