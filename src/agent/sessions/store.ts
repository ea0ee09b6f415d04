import type {Session, SessionDetail, TranscriptMessage} from '../../contract/sessions.js'
import type {StreamEvent, Usage} from '../../contract/stream.js'
import {clampToBudget} from '../prompt-trim.js'
import type {Vault} from '../vault.js'

/** An event as sent: its SSE id and the contract event. */
export interface SentEvent {
  id: number
  event: StreamEvent
}

/**
 * Sessions inside the instance, in the vault (so encrypted at rest under the data key):
 * `sessions/<sid>/meta` (JSON), `sessions/<sid>/transcript` (one appended record per message),
 * `sessions/<sid>/events/<mid>` (the events of one answer, for Last-Event-ID replay),
 * `sessions/<sid>/draft` (the answer being written, saved as it streams; gone once it is appended).
 *
 * Listing reads the session index, not every meta file: `sessions.snapshot` (every session's
 * meta, one encrypted entry) plus `sessions.index`, an encrypted append-only log of the changes
 * since (the latest record of an id wins; a delete is a tombstone). Both are read once per agent
 * process into memory; the log is folded into a new snapshot when it has grown to a quarter of
 * the sessions. A page is then a slice of the sorted list: as quick at 10,000 sessions as at 10.
 * A crash between writing a snapshot and dropping the log only replays changes already in it.
 */
const INDEX = 'sessions.index'
const SNAPSHOT = 'sessions.snapshot'

type IndexRecord = {put: Session} | {del: string}

export class SessionStore {
  constructor(private readonly vault: Vault) {}

  /** Sessions by id, and the same sorted by (created_at, id); loaded on first use. */
  private index?: Promise<{byId: Map<string, Session>; sorted?: Session[]; records: number}>

  private meta = (sid: string) => `sessions/${sid}/meta`
  private transcript = (sid: string) => `sessions/${sid}/transcript`
  private events = (sid: string, mid: string) => `sessions/${sid}/events/${mid}`
  private draft = (sid: string) => `sessions/${sid}/draft`

  async create(s: Session): Promise<Session> {
    await this.vault.writeJson(this.meta(s.id), s)
    await this.indexWrite({put: s})
    return s
  }

  private loadIndex() {
    this.index ??= (async () => {
      const snapshot = await this.vault.readJson<Session[]>(SNAPSHOT)
      const records = await this.vault.readRecords(INDEX)
      const byId = new Map<string, Session>((snapshot ?? []).map((s) => [s.id, s]))
      if (snapshot || records) {
        for (const r of records ?? []) apply(byId, JSON.parse(r.toString('utf8')) as IndexRecord)
        return {byId, records: records?.length ?? 0}
      }
      // An instance from before the index: build it once from the meta files.
      for (const s of await this.scanMetas()) byId.set(s.id, s)
      const state = {byId, records: 0}
      await this.compact(state)
      return state
    })()
    return this.index
  }

  private async scanMetas(): Promise<Session[]> {
    const names = (await this.vault.list('sessions/')).filter((n) => n.endsWith('/meta'))
    const all = await Promise.all(names.map((n) => this.vault.readJson<Session>(n)))
    return all.filter((s): s is Session => Boolean(s))
  }

  private async compact(state: {byId: Map<string, Session>; records: number}): Promise<void> {
    await this.vault.writeJson(SNAPSHOT, [...state.byId.values()])
    await this.vault.delete(INDEX)
    state.records = 0
  }

  private async indexWrite(record: IndexRecord): Promise<void> {
    const state = await this.loadIndex()
    apply(state.byId, record)
    state.sorted = undefined
    await this.vault.append(INDEX, JSON.stringify(record))
    state.records++
    // Folded once the log reaches a quarter of the sessions: reading it back costs one decryption
    // per record, the snapshot one in all; writing the snapshot that often costs a few bytes per change.
    if (state.records > 64 && state.records * 4 > state.byId.size) await this.compact(state)
  }

  async get(sid: string): Promise<Session | undefined> {
    return this.vault.readJson<Session>(this.meta(sid))
  }

  /** Every session, oldest first. */
  async list(): Promise<Session[]> {
    return (await this.page(Infinity)).sessions
  }

  /** One page, oldest first: `limit` sessions after the cursor's, and the cursor of the last. */
  async page(limit: number, after?: {createdAt: string; id: string}): Promise<{sessions: Session[]; last?: Session; more: boolean}> {
    const state = await this.loadIndex()
    const sorted = (state.sorted ??= [...state.byId.values()].sort(bySortKey))
    let start = 0
    if (after) {
      // The first session past the cursor: binary search on (created_at, id).
      let lo = 0
      let hi = sorted.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        const s = sorted[mid]!
        if (s.created_at < after.createdAt || (s.created_at === after.createdAt && s.id <= after.id)) lo = mid + 1
        else hi = mid
      }
      start = lo
    }
    const sessions = sorted.slice(start, start + limit).map((s) => ({...s}))
    return {sessions, last: sessions.at(-1), more: start + limit < sorted.length}
  }

  async messages(sid: string): Promise<TranscriptMessage[]> {
    const records = (await this.vault.readRecords(this.transcript(sid))) ?? []
    return records.map((r) => JSON.parse(r.toString('utf8')) as TranscriptMessage)
  }

  async detail(sid: string): Promise<SessionDetail | undefined> {
    const s = await this.get(sid)
    return s ? {...s, messages: await this.messages(sid)} : undefined
  }

  /** Appends a message and updates the session's counters in the same step. */
  async append(sid: string, message: TranscriptMessage, usage?: Usage): Promise<void> {
    await this.vault.append(this.transcript(sid), JSON.stringify(message))
    const s = await this.get(sid)
    if (!s) return
    s.message_count += 1
    s.updated_at = message.created_at
    // A session without a title is named after its first message, as chat apps do.
    if (!s.title && message.role === 'user') s.title = titleFrom(message.content)
    if (usage) {
      s.usage = {input_tokens: s.usage.input_tokens + usage.input_tokens, output_tokens: s.usage.output_tokens + usage.output_tokens}
    }
    await this.vault.writeJson(this.meta(sid), s)
    await this.indexWrite({put: s})
  }

  async saveEvents(sid: string, mid: string, events: readonly SentEvent[]): Promise<void> {
    await this.vault.writeJson(this.events(sid, mid), events)
  }

  async loadEvents(sid: string, mid: string): Promise<SentEvent[] | undefined> {
    return this.vault.readJson<SentEvent[]>(this.events(sid, mid))
  }

  /** The answer so far, replaced each time; what survives if the agent dies mid-answer. */
  async saveDraft(sid: string, message: TranscriptMessage): Promise<void> {
    await this.vault.writeJson(this.draft(sid), message)
  }

  async deleteDraft(sid: string): Promise<void> {
    await this.vault.delete(this.draft(sid))
  }

  /**
   * After a restart: every draft left behind is an answer the agent was killed in the middle of.
   * It joins the transcript as it was last saved, marked interrupted, and its saved events end
   * with an error, so a client resuming the stream gets an end instead of waiting forever.
   * Call once per agent process, before any answer starts. Returns how many were recovered.
   */
  async recoverDrafts(): Promise<number> {
    const names = (await this.vault.list('sessions/')).filter((n) => n.endsWith('/draft'))
    let recovered = 0
    for (const name of names) {
      const sid = name.slice('sessions/'.length, -'/draft'.length)
      const draft = await this.vault.readJson<TranscriptMessage>(name)
      if (draft && (await this.get(sid)) && !(await this.messages(sid)).some((m) => m.id === draft.id)) {
        const error = {code: 'instance_unavailable' as const, message: 'The agent stopped in the middle of this answer (it was restarted); this is the part saved before.'}
        await this.append(sid, {...draft, stop_reason: 'error', interrupted: true, error}, draft.usage)
        const events = (await this.loadEvents(sid, draft.id)) ?? []
        if (!events.some((e) => e.event.type === 'message.end' || e.event.type === 'error')) {
          const hint = 'Send the message again for a whole answer; `clawd sessions show` has the part that was saved.'
          await this.saveEvents(sid, draft.id, [...events, {id: events.length + 1, event: {type: 'error', ...error, hint}}])
        }
        recovered++
      }
      await this.vault.delete(name)
    }
    return recovered
  }

  async delete(sid: string): Promise<boolean> {
    const names = await this.vault.list(`sessions/${sid}/`)
    for (const name of names) await this.vault.delete(name)
    if (names.length > 0) await this.indexWrite({del: sid})
    return names.length > 0
  }

  async clear(): Promise<number> {
    const sessions = await this.list()
    for (const s of sessions) await this.delete(s.id)
    return sessions.length
  }
}

/** The latest record of an id wins; a delete is a tombstone. */
function apply(byId: Map<string, Session>, record: IndexRecord): void {
  if ('put' in record) byId.set(record.put.id, {...record.put})
  else byId.delete(record.del)
}

function bySortKey(a: Session, b: Session): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

function titleFrom(text: string): string {
  return clampToBudget(text.trim().split('\n')[0]!.trim(), 60)
}
