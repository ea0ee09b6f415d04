import {MAX_PAGE} from '../../contract/paging.js'
import {listSessionsResponseSchema, type Session, sessionDetailSchema, type SessionDetail} from '../../contract/sessions.js'
import {workspaceSchema, type WorkspaceFile} from '../../contract/workspace.js'
import {ApiError} from '../errors.js'
import type {InstanceLifecycle} from '../instances/lifecycle.js'

/**
 * An instance's own data (workspace, transcripts) lives encrypted in its vault and only its
 * running agent can read it, so the API asks the agent over its socket. The answers are checked
 * against the contract: a broken agent must not put a malformed document into an export.
 */

function agentFailed(what: string, status: number): ApiError {
  return ApiError.unavailable(`The instance could not ${what} (it answered ${status}).`, 'Try again; if it persists, see `clawd instance show`.')
}

export async function readWorkspace(manager: InstanceLifecycle, instanceId: string): Promise<WorkspaceFile[]> {
  const res = await manager.agents.json<unknown>(await manager.connect(instanceId), 'GET', '/workspace')
  if (res.status !== 200) throw agentFailed('read its workspace', res.status)
  const parsed = workspaceSchema.safeParse(res.body)
  if (!parsed.success) throw agentFailed('read its workspace', res.status)
  return parsed.data.files
}

/** Every session with its messages, oldest first. */
export async function readSessions(manager: InstanceLifecycle, instanceId: string): Promise<SessionDetail[]> {
  const target = await manager.connect(instanceId)
  const all: Session[] = []
  for (let cursor: string | null = null; ; ) {
    const query = new URLSearchParams({limit: String(MAX_PAGE), ...(cursor ? {cursor} : {})})
    const list = await manager.agents.json<unknown>(target, 'GET', `/sessions?${query}`)
    if (list.status !== 200) throw agentFailed('list its sessions', list.status)
    const page = listSessionsResponseSchema.safeParse(list.body)
    if (!page.success) throw agentFailed('list its sessions', list.status)
    all.push(...page.data.sessions)
    cursor = page.data.next_cursor
    if (!cursor) break
  }
  const details: SessionDetail[] = []
  for (const s of all) {
    const res = await manager.agents.json<unknown>(target, 'GET', `/sessions/${encodeURIComponent(s.id)}`)
    // Deleted between the list and now: it is no longer held, so it is not exported.
    if (res.status === 404) continue
    const detail = sessionDetailSchema.safeParse(res.body)
    if (res.status !== 200 || !detail.success) throw agentFailed('read a session', res.status)
    details.push(detail.data)
  }
  // ISO timestamps and ids compare as plain strings: no locale may change the order.
  const key = (s: SessionDetail) => `${s.created_at}|${s.id}`
  return details.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}
