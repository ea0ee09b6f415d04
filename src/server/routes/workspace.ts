import type {FastifyInstance, FastifyReply} from 'fastify'
import {instanceRefSchema} from '../../contract/instances.js'
import {PROBLEM_CONTENT_TYPE} from '../../contract/problem.js'
import {
  pushWorkspaceRequestSchema,
  WORKSPACE_TAR_CONTENT_TYPE,
  type PushWorkspaceFile,
  type PushWorkspaceRefused,
} from '../../contract/workspace-push.js'
import {WORKSPACE_PUSH_MAX_BODY_BYTES, type WorkspaceFile, type WorkspaceRejection, type WorkspaceSkip} from '../../contract/workspace.js'
import {mergeChecks, readWorkspaceTar} from '../../workspace/archive.js'
import {classifyPath} from '../../workspace/files.js'
import {decodeFile} from '../../workspace/rules.js'
import {TarError} from '../../workspace/tar.js'
import {pushResponse, validateWorkspace, type WorkspaceCheck} from '../../workspace/validate.js'
import {readWorkspace} from '../account/agent-data.js'
import {requireAuth} from '../auth/authenticate.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {findInstance, touchInstance} from '../instances/repo.js'
import {agentStorageFailure} from '../instances/agent-storage.js'
import {validate} from '../validate.js'

type RefParams = {Params: {ref: string}}

/** Push options shared by the JSON and tar readers: TOOLS.md and HEARTBEAT.md are kept for `export --legacy`. */
const PUSH_RULES = {legacy: true} as const

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
  const auth = requireAuth(ctx)
  const manager = ctx.instances

  const instanceOf = async (userId: string, ref: string) => {
    const row = instanceRefSchema.safeParse(ref).success ? await ctx.db.asUser(userId, (q) => findInstance(q, ref)) : undefined
    if (!row) throw ApiError.notFound('instance', 'See your instances with `clawd instance list`.')
    return row
  }

  app.get<RefParams>('/v1/instances/:ref/workspace', {preHandler: auth}, async (req) => {
    const userId = req.auth!.userId
    const row = await manager.ensureRunning(userId, (await instanceOf(userId, req.params.ref)).id)
    return {files: await readWorkspace(manager, row.id)}
  })

  // Encapsulated, so the tar body parser applies to this route only.
  await app.register(async (scoped) => {
    scoped.addContentTypeParser(WORKSPACE_TAR_CONTENT_TYPE, {parseAs: 'buffer', bodyLimit: WORKSPACE_PUSH_MAX_BODY_BYTES}, (_req, body, done) => done(null, body))

    scoped.put<RefParams>('/v1/instances/:ref/workspace', {preHandler: auth, bodyLimit: WORKSPACE_PUSH_MAX_BODY_BYTES}, async (req, reply) => {
      const userId = req.auth!.userId
      const instance = await instanceOf(userId, req.params.ref)
      const check = Buffer.isBuffer(req.body) ? checkTar(req.body) : checkJson(validate(pushWorkspaceRequestSchema, req.body).files)
      if (check.rejected.length > 0) return refuse(reply, check, refusalDetail(check.rejected))
      if (check.accepted.length === 0) {
        return refuse(reply, check, 'The push holds no workspace file (AGENTS.md, SOUL.md, IDENTITY.md, USER.md, MEMORY.md or memory/YYYY-MM-DD.md); nothing was changed.')
      }

      const row = await manager.ensureRunning(userId, instance.id)
      const res = await manager.agents.json<{applied?: string[]; rejected?: WorkspaceRejection[]; skipped?: WorkspaceSkip[]}>(
        manager.routeFor(row),
        'PUT',
        '/workspace',
        {files: check.accepted},
      )
      if (res.status === 422) {
        // The agent runs the same rules; it refusing what passed here means the two disagree.
        const agentCheck = {accepted: [], rejected: res.body?.rejected ?? [], skipped: res.body?.skipped ?? []}
        return refuse(reply, agentCheck, refusalDetail(agentCheck.rejected))
      }
      if (res.status !== 200) throw agentStorageFailure(res.status, 'the workspace')
      await ctx.db.asUser(userId, (q) => touchInstance(q, row.id))
      return pushResponse(check)
    })
  })
}

/** JSON files: text as sent, or base64 bytes decoded here so the API itself decides what is UTF-8. */
function checkJson(files: readonly PushWorkspaceFile[]): WorkspaceCheck {
  const texts: WorkspaceFile[] = []
  const skipped: WorkspaceSkip[] = []
  const rejected: WorkspaceRejection[] = []
  for (const f of files) {
    if ('content' in f) {
      texts.push(f)
      continue
    }
    // The name first: a file that would be skipped or refused by name is never decoded.
    const verdict = classifyPath(f.path, PUSH_RULES)
    if (verdict.kind === 'skipped') skipped.push({path: f.path, code: verdict.code, message: verdict.message})
    else if (verdict.kind === 'rejected') rejected.push({path: f.path, code: verdict.code, message: verdict.message})
    else {
      const {text, problems} = decodeFile(f.path, Buffer.from(f.content_base64, 'base64'))
      if (text === undefined) rejected.push(...problems)
      else texts.push({path: f.path, content: text})
    }
  }
  return mergeChecks(validateWorkspace(texts, PUSH_RULES), skipped, rejected)
}

function checkTar(bytes: Buffer): WorkspaceCheck {
  try {
    return readWorkspaceTar(bytes, PUSH_RULES)
  } catch (error) {
    if (error instanceof TarError) throw ApiError.validation(`The body is not a readable tar archive: ${error.message}`, 'Send a ustar archive, such as `clawd export --format tar` writes.')
    throw error
  }
}

function refusalDetail(rejected: readonly WorkspaceRejection[]): string {
  const first = rejected[0]
  if (!first) return 'The workspace was refused; nothing was changed.'
  const more = rejected.length > 1 ? ` (and ${rejected.length - 1} more problem${rejected.length > 2 ? 's' : ''})` : ''
  return `Nothing was changed: ${first.message}${more}`
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
