import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {TELEGRAM_MAX_MESSAGE_CHARS, TELEGRAM_SECRET_HEADER} from '../contract/channel-wire.js'

/**
 * A local stand-in for the Telegram Bot API (https://core.telegram.org/bots/api), for tests, the
 * demo and the benchmark: offline, on 127.0.0.1, speaking the real wire format.
 *
 * - Methods are `POST /bot<token>/<method>` with a JSON or form body; answers are
 *   `{"ok": true, "result": …}` or `{"ok": false, "error_code": N, "description": "…"}`.
 * - It knows getMe, setWebhook, deleteWebhook, getWebhookInfo, sendMessage and sendChatAction, and
 *   refuses what Telegram refuses (an unknown token: 401; a message over 4,096 characters: 400).
 * - `deliver` POSTs an Update to the registered webhook with `X-Telegram-Bot-Api-Secret-Token`,
 *   as Telegram does, and says what the webhook answered.
 *
 * Every call is recorded (with the token it came with, so tests can see where a token went).
 */
export interface FakeBot {
  token: string
  id: number
  username: string
  first_name?: string
}

export interface FakeTelegramCall {
  token: string
  method: string
  params: Record<string, unknown>
  /** performance.now() when it arrived. */
  at: number
}

export interface SentMessage {
  token: string
  chat_id: string
  text: string
  message_id: number
  at: number
}

/** A Telegram user as a test writes one: the fake fills in what Telegram would add. */
type From = {id: number; username?: string; first_name?: string}

export type FakeTelegram = Awaited<ReturnType<typeof startFakeTelegram>>

export async function startFakeTelegram(opts: {bots: FakeBot[]}) {
  const bots = new Map(opts.bots.map((b) => [b.token, b]))
  const webhooks = new Map<string, {url: string; secret_token: string | undefined}>()
  const calls: FakeTelegramCall[] = []
  const sent: SentMessage[] = []
  const waiters = new Set<() => void>()
  let nextMessageId = 1
  let nextUpdateId = 100_000
  let nextDate = Math.floor(Date.now() / 1000)
  const notify = () => {
    for (const w of [...waiters]) w()
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname)
      const answer = (status: number, body: unknown) => {
        const text = JSON.stringify(body)
        res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
        res.end(text)
      }
      const fail = (code: number, description: string) => answer(code, {ok: false, error_code: code, description})
      if (!match) return fail(404, 'Not Found')
      const [, token, method] = match as unknown as [string, string, string]
      const params = await readParams(req)
      const bot = bots.get(decodeURIComponent(token))
      calls.push({token: decodeURIComponent(token), method, params, at: performance.now()})
      try {
        if (!bot) return fail(401, 'Unauthorized')
        const me = {id: bot.id, is_bot: true, first_name: bot.first_name ?? bot.username, username: bot.username}
        switch (method) {
          case 'getMe':
            return answer(200, {ok: true, result: {...me, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false}})
          case 'setWebhook': {
            const url = String(params.url ?? '')
            if (!/^https?:\/\//.test(url)) return fail(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook')
            const secret = params.secret_token === undefined ? undefined : String(params.secret_token)
            if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) return fail(400, 'Bad Request: secret token contains unallowed characters')
            webhooks.set(bot.token, {url, secret_token: secret})
            return answer(200, {ok: true, result: true, description: 'Webhook was set'})
          }
          case 'deleteWebhook':
            webhooks.delete(bot.token)
            return answer(200, {ok: true, result: true, description: 'Webhook was deleted'})
          case 'getWebhookInfo': {
            const hook = webhooks.get(bot.token)
            return answer(200, {ok: true, result: {url: hook?.url ?? '', has_custom_certificate: false, pending_update_count: 0}})
          }
          case 'sendChatAction':
            if (params.chat_id === undefined || params.action === undefined) return fail(400, 'Bad Request: chat_id is empty')
            return answer(200, {ok: true, result: true})
          case 'sendMessage': {
            const text = typeof params.text === 'string' ? params.text : ''
            if (params.chat_id === undefined) return fail(400, 'Bad Request: chat_id is empty')
            if (!text) return fail(400, 'Bad Request: message text is empty')
            if (text.length > TELEGRAM_MAX_MESSAGE_CHARS) return fail(400, 'Bad Request: message is too long')
            const message_id = nextMessageId++
            sent.push({token: bot.token, chat_id: String(params.chat_id), text, message_id, at: performance.now()})
            return answer(200, {ok: true, result: {message_id, from: me, chat: {id: Number(params.chat_id)}, date: Math.floor(Date.now() / 1000), text}})
          }
          default:
            return fail(404, 'Not Found: method not found')
        }
      } finally {
        notify()
      }
    })().catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo

  const user = (from: From) => ({id: from.id, is_bot: false, first_name: from.first_name ?? from.username ?? `user${from.id}`, ...(from.username ? {username: from.username} : {})})
  const fake = {
    /** http://127.0.0.1:PORT — what to pass as --telegram-api-url. */
    url: `http://127.0.0.1:${port}`,
    calls,
    /** sendMessage calls that succeeded, in order. */
    sent,
    webhook: (token: string) => webhooks.get(token),
    /** POSTs an update to the bot's webhook as Telegram would; `secret` overrides the header (null: none). */
    async deliver(token: string, update: Record<string, unknown>, secret?: string | null): Promise<{status: number; body: string}> {
      const hook = webhooks.get(token)
      if (!hook?.url) throw new Error('no webhook is set for this bot')
      const header = secret === null ? undefined : (secret ?? hook.secret_token)
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {'content-type': 'application/json', ...(header === undefined ? {} : {[TELEGRAM_SECRET_HEADER]: header})},
        body: JSON.stringify(update),
        signal: AbortSignal.timeout(60_000),
      })
      return {status: res.status, body: await res.text()}
    },
    /** A private-chat text message from `from`, as an Update with the next update_id. */
    dm(from: From, text: string): Record<string, unknown> {
      return {update_id: nextUpdateId++, message: {message_id: nextMessageId++, from: user(from), chat: {id: from.id, type: 'private', first_name: user(from).first_name}, date: nextDate++, text}}
    },
    /** A group text message. */
    groupMessage(chat: {id: number; title: string}, from: From, text: string): Record<string, unknown> {
      const entities = [...text.matchAll(/@[A-Za-z0-9_]+/g)].map((m) => ({type: 'mention', offset: m.index, length: m[0].length}))
      return {update_id: nextUpdateId++, message: {message_id: nextMessageId++, from: user(from), chat: {id: chat.id, type: 'group', title: chat.title}, date: nextDate++, text, ...(entities.length ? {entities} : {})}}
    },
    /**
     * The phone side of a round trip: `from` writes `text` to the bot in private, and this waits for
     * `replies` messages back to that chat. `firstReplyMs`: from posting the update to the first reply.
     */
    async converse(token: string, from: From, text: string, replies = 1): Promise<{status: number; replies: string[]; firstReplyMs: number}> {
      const before = sent.filter((m) => m.token === token && m.chat_id === String(from.id)).length
      const started = performance.now()
      const {status} = await fake.deliver(token, fake.dm(from, text))
      const got = await fake.waitFor(() => {
        const mine = sent.filter((m) => m.token === token && m.chat_id === String(from.id)).slice(before)
        return mine.length >= replies ? mine : undefined
      }, 60_000)
      return {status, replies: got.map((m) => m.text), firstReplyMs: got[0]!.at - started}
    },
    /** Resolves when `predicate` holds for the recorded calls (checked on every call), or rejects after `timeoutMs`. */
    waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const value = predicate()
          if (value !== undefined && value !== false) {
            waiters.delete(check)
            clearTimeout(timer)
            resolve(value)
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error('the fake Telegram did not see what was expected in time'))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close: (): Promise<void> =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return fake
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
  const raw = Buffer.concat(chunks).toString('utf8')
  const type = String(req.headers['content-type'] ?? '')
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams)
  if (!raw) return query
  if (type.includes('application/json')) {
    try {
      return {...query, ...(JSON.parse(raw) as Record<string, unknown>)}
    } catch {
      return query
    }
  }
  return {...query, ...Object.fromEntries(new URLSearchParams(raw))}
}
