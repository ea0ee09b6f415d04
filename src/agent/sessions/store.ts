import type {Session, SessionDetail, TranscriptMessage} from '../../contract/sessions.js'
import type {StreamEvent, Usage} from '../../contract/stream.js'
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
 */
export class SessionStore {
  constructor(private readonly vault: Vault) {}

  private meta = (sid: string) => `sessions/${sid}/meta`
  private transcript = (sid: string) => `sessions/${sid}/transcript`
  private events = (sid: string, mid: string) => `sessions/${sid}/events/${mid}`
  private draft = (sid: string) => `sessions/${sid}/draft`

  async create(s: Session): Promise<Session> {
    await this.vault.writeJson(this.meta(s.id), s)
    return s
  }

  async get(sid: string): Promise<Session | undefined> {
    return this.vault.readJson<Session>(this.meta(sid))
  }

  async list(): Promise<Session[]> {
    const names = (await this.vault.list('sessions/')).filter((n) => n.endsWith('/meta'))
    const all = await Promise.all(names.map((n) => this.vault.readJson<Session>(n)))
    return all.filter((s): s is Session => Boolean(s)).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
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
    return names.length > 0
  }

  async clear(): Promise<number> {
    const sessions = await this.list()
    for (const s of sessions) await this.delete(s.id)
    return sessions.length
  }
}

function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0]!.trim()
  return line.length > 60 ? line.slice(0, 59) + '…' : line
}
