import {MAX_PAGE} from '../../contract/paging.js'
import {agentApi, type QueryValues} from '../../contract/routes/index.js'
import type {Session, SessionDetail} from '../../contract/sessions.js'
import type {WorkspaceFile} from '../../contract/workspace.js'
import {ApiError} from '../errors.js'
import type {InstanceLifecycle} from '../instances/lifecycle.js'

/**
 * An instance's own data (workspace, transcripts) lives encrypted in its vault and only its
 * running agent can read it, so the API asks the agent over its socket. The answers are checked
 * against the contract (AgentAnswerError): a broken agent must not put a malformed document into an export.
 */

function agentFailed(what: string, status: number): ApiError {
  return ApiError.unavailable(`The instance could not ${what} (it answered ${status}).`, 'Try again; if it persists, see `clawd instance show`.')
}

export async function readWorkspace(manager: InstanceLifecycle, instanceId: string): Promise<WorkspaceFile[]> {
  const res = await manager.agents.call(await manager.connect(instanceId), agentApi.getWorkspace)
  if (!res.ok) throw agentFailed('read its workspace', res.status)
  return res.body.files
}

/** Every session with its messages, oldest first. */
export async function readSessions(manager: InstanceLifecycle, instanceId: string): Promise<SessionDetail[]> {
  const target = await manager.connect(instanceId)
  const all: Session[] = []
  for (let cursor: string | null = null; ; ) {
    const query: QueryValues = {limit: MAX_PAGE, cursor: cursor ?? undefined}
    const list = await manager.agents.call(target, agentApi.listSessions, {query})
    if (!list.ok) throw agentFailed('list its sessions', list.status)
    all.push(...list.body.sessions)
    cursor = list.body.next_cursor
    if (!cursor) break
  }
  const details: SessionDetail[] = []
  for (const s of all) {
    const res = await manager.agents.call(target, agentApi.getSession, {params: {sid: s.id}})
    // Deleted between the list and now: it is no longer held, so it is not exported.
    if (res.status === 404) continue
    if (!res.ok) throw agentFailed('read a session', res.status)
    details.push(res.body)
  }
  // ISO timestamps and ids compare as plain strings: no locale may change the order.
  const key = (s: SessionDetail) => `${s.created_at}|${s.id}`
  return details.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}
