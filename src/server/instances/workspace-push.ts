import type {PushWorkspaceFile} from '../../contract/workspace-push.js'
import {agentApi} from '../../contract/routes/index.js'
import type {PushWorkspaceResponse, WorkspaceFile, WorkspaceRejection, WorkspaceSkip} from '../../contract/workspace.js'
import {mergeChecks, readWorkspaceTar} from '../../workspace/archive.js'
import {classifyPath, recordVerdict} from '../../workspace/files.js'
import {decodeFile} from '../../workspace/rules.js'
import {TarError} from '../../workspace/tar.js'
import {pushResponse, validateWorkspace, type WorkspaceCheck} from '../../workspace/validate.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {agentStorageFailure} from './agent-storage.js'
import {touchInstance} from './repo.js'

/**
 * A workspace push, for PUT /v1/instances/:ref/workspace and the console alike: the same rules as
 * `clawd config push` (src/workspace/), then one whole-workspace write in the agent, applied only
 * when nothing is rejected.
 */

/** JSON files: text as sent, or base64 bytes decoded here so the API itself decides what is UTF-8. */
export function checkJson(files: readonly PushWorkspaceFile[]): WorkspaceCheck {
  const texts: WorkspaceFile[] = []
  const skipped: WorkspaceSkip[] = []
  const rejected: WorkspaceRejection[] = []
  for (const f of files) {
    if ('content' in f) {
      texts.push(f)
      continue
    }
    // The name first: a file that would be skipped or refused by name is never decoded.
    if (recordVerdict(classifyPath(f.path), skipped, rejected)) continue
    const {text, problems} = decodeFile(f.path, Buffer.from(f.content_base64, 'base64'))
    if (text === undefined) rejected.push(...problems)
    else texts.push({path: f.path, content: text})
  }
  return mergeChecks(validateWorkspace(texts), skipped, rejected)
}

export function checkTar(bytes: Buffer): WorkspaceCheck {
  try {
    return readWorkspaceTar(bytes)
  } catch (error) {
    if (error instanceof TarError) throw ApiError.validation(`The body is not a readable tar archive: ${error.message}`, 'Send a ustar archive, such as `clawd export --format tar` writes.')
    throw error
  }
}

export function refusalDetail(rejected: readonly WorkspaceRejection[]): string {
  const first = rejected[0]
  if (!first) return 'The workspace was refused; nothing was changed.'
  const more = rejected.length > 1 ? ` (and ${rejected.length - 1} more problem${rejected.length > 2 ? 's' : ''})` : ''
  return `Nothing was changed: ${first.message}${more}`
}

export type PushOutcome = {ok: true; response: PushWorkspaceResponse} | {ok: false; check: WorkspaceCheck; detail: string}

/** Applies a checked push to the instance (resuming it if paused), or says why it was refused. */
export async function applyWorkspacePush(ctx: ServerContext, userId: string, instanceId: string, check: WorkspaceCheck): Promise<PushOutcome> {
  if (check.rejected.length > 0) return {ok: false, check, detail: refusalDetail(check.rejected)}
  if (check.accepted.length === 0) {
    return {
      ok: false,
      check,
      detail: 'The push holds no workspace file (AGENTS.md, SOUL.md, IDENTITY.md, USER.md, MEMORY.md or memory/YYYY-MM-DD.md); nothing was changed.',
    }
  }
  const res = await ctx.instances.callAgent(userId, instanceId, agentApi.putWorkspace, {body: {files: check.accepted}})
  const refused = res.status === 422 ? agentApi.putWorkspace.responses[422].safeParse(res.body) : undefined
  if (refused) {
    // The agent runs the same rules; it refusing what passed here means the two disagree.
    const agentCheck = {accepted: [], rejected: refused.data?.rejected ?? [], skipped: refused.data?.skipped ?? []}
    return {ok: false, check: agentCheck, detail: refusalDetail(agentCheck.rejected)}
  }
  if (res.status !== 200) throw agentStorageFailure(res.status, 'the workspace')
  await ctx.db.asUser(userId, (q) => touchInstance(q, instanceId))
  return {ok: true, response: pushResponse(check)}
}
