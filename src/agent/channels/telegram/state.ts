import type {AgentTelegramChannel, DmPolicy} from '../../../contract/channel-wire.js'
import {chained, type Vault} from '../../vault.js'

/** The channel as the instance keeps it: the sealed token and settings, never the webhook secret. */
export type StoredTelegramChannel = Omit<AgentTelegramChannel, 'webhook_secret' | 'webhook_url'>

export interface PendingPairing {
  code: string
  user_id: string
  chat_id: string
  username: string | null
  name: string | null
  created_at: string
  expires_at: string
}

interface PairingBook {
  pending: PendingPairing[]
  /** Telegram user ids the owner approved. */
  approved: string[]
}

/** How many update ids are remembered for de-duplication (Telegram redelivers recent ones only). */
const SEEN_KEEP = 4096
/** At most this many codes wait at once, so strangers cannot grow the book without bound. */
const MAX_PENDING = 50

const ROOT = 'channels/telegram/'
const CONFIG = `${ROOT}config`
const SEEN = `${ROOT}seen`
const PAIRING = `${ROOT}pairing`
const QUOTA = `${ROOT}quota-notices`
const chatEntry = (chatId: string) => `${ROOT}chats/${chatId}`

/**
 * The Telegram channel's state inside the instance, in the vault (encrypted at rest). Read-modify-
 * write steps run one at a time through `exclusive`, so two updates delivered at once never lose
 * each other's writes.
 */
export class TelegramState {
  private readonly chain = new Map<'state', Promise<unknown>>()
  private seen: number[] | undefined

  constructor(private readonly vault: Vault) {}

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return chained(this.chain, 'state', work)
  }

  config(): Promise<StoredTelegramChannel | undefined> {
    return this.vault.readJson<StoredTelegramChannel>(CONFIG)
  }

  async saveConfig(channel: StoredTelegramChannel): Promise<void> {
    await this.vault.writeJson(CONFIG, channel)
  }

  /** Forgets the channel (settings, pairing, dedup); the chats' sessions stay, as sessions. */
  async remove(): Promise<boolean> {
    return this.exclusive(async () => {
      const names = await this.vault.list(ROOT)
      for (const name of names) await this.vault.delete(name)
      this.seen = undefined
      return names.includes(CONFIG)
    })
  }

  /** True the first time an update id is seen; false for a redelivery (idempotency by update_id). */
  firstDelivery(updateId: number): Promise<boolean> {
    return this.exclusive(async () => {
      this.seen ??= (await this.vault.readJson<number[]>(SEEN)) ?? []
      if (this.seen.includes(updateId)) return false
      this.seen.push(updateId)
      if (this.seen.length > SEEN_KEEP) this.seen.splice(0, this.seen.length - SEEN_KEEP)
      await this.vault.writeJson(SEEN, this.seen)
      return true
    })
  }

  async isApproved(userId: string, policy: {dm_policy: DmPolicy; allow_from: string[]}): Promise<boolean> {
    if (policy.dm_policy === 'open' || policy.allow_from.includes(userId)) return true
    if (policy.dm_policy === 'allowlist') return false
    return (await this.book()).approved.includes(userId)
  }

  /** The sender's live code, or a new one (valid `ttlMs`); undefined when too many are waiting. */
  requestPairing(sender: Omit<PendingPairing, 'code' | 'created_at' | 'expires_at'>, now: number, ttlMs: number, newCode: () => string): Promise<PendingPairing | undefined> {
    return this.exclusive(async () => {
      const book = await this.book()
      book.pending = book.pending.filter((p) => Date.parse(p.expires_at) > now)
      const existing = book.pending.find((p) => p.user_id === sender.user_id)
      if (existing) return existing
      if (book.pending.length >= MAX_PENDING) return undefined
      const request = {...sender, code: newCode(), created_at: new Date(now).toISOString(), expires_at: new Date(now + ttlMs).toISOString()}
      book.pending.push(request)
      await this.vault.writeJson(PAIRING, book)
      return request
    })
  }

  async pending(now: number): Promise<PendingPairing[]> {
    return (await this.book()).pending.filter((p) => Date.parse(p.expires_at) > now)
  }

  /** Approves or denies a live code; undefined when there is no such code (or it expired). */
  decide(code: string, approve: boolean, now: number): Promise<PendingPairing | undefined> {
    return this.exclusive(async () => {
      const book = await this.book()
      const found = book.pending.find((p) => p.code === code && Date.parse(p.expires_at) > now)
      book.pending = book.pending.filter((p) => p.code !== code && Date.parse(p.expires_at) > now)
      if (found && approve && !book.approved.includes(found.user_id)) book.approved.push(found.user_id)
      await this.vault.writeJson(PAIRING, book)
      return found
    })
  }

  async sessionFor(chatId: string): Promise<string | undefined> {
    return (await this.vault.readJson<{session_id: string}>(chatEntry(chatId)))?.session_id
  }

  async setSessionFor(chatId: string, sessionId: string): Promise<void> {
    await this.vault.writeJson(chatEntry(chatId), {session_id: sessionId})
  }

  /** True when this chat has not yet been told about the quota that resets at `resetsAt`. */
  firstQuotaNotice(chatId: string, resetsAt: string): Promise<boolean> {
    return this.exclusive(async () => {
      const notices = (await this.vault.readJson<Record<string, string>>(QUOTA)) ?? {}
      if (notices[chatId] === resetsAt) return false
      notices[chatId] = resetsAt
      await this.vault.writeJson(QUOTA, notices)
      return true
    })
  }

  private async book(): Promise<PairingBook> {
    return (await this.vault.readJson<PairingBook>(PAIRING)) ?? {pending: [], approved: []}
  }
}
