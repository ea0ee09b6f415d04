import {setTimeout as delay} from 'node:timers/promises'
import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/kit/base-command.js'
import {CliError} from '../src/cli/kit/errors.js'
import type {Api} from '../src/cli/kit/http/api.js'
import {type AccessLogEntry, MAX_LOG_PAGE, type LogsResponse} from '../src/contract/logs.js'
import {parseDuration} from '../src/duration.js'

export default class Logs extends BaseCommand {
  static override summary = 'Show your account’s access log: every request made with your tokens, and instance lifecycle events.'
  static override description =
    'Entries name the token (by id), client, address, route and result, never tokens, keys or message text. The server keeps ' +
    'them for its retention window (30 days by default). With --follow, new entries are printed as they come (NDJSON with --json).'
  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs --since 1h --instance my-agent',
    '<%= config.bin %> logs --follow --json',
  ]
  static override flags = {
    since: Flags.string({summary: 'Only entries from this long ago (1h, 7d) or since this ISO time.', env: 'CLAWD_LOGS_SINCE'}),
    // No CLAWD_INSTANCE fallback on purpose: this is the account's log, and a default instance
    // set for other commands must not silently narrow it.
    instance: Flags.string({char: 'i', summary: 'Only entries about this instance (id or name).'}),
    limit: Flags.integer({summary: 'How many entries (the newest).', default: 100, min: 1, max: MAX_LOG_PAGE}),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing new entries until interrupted.', default: false}),
    interval: Flags.custom<number>({parse: async (input) => parseDuration(input)})({summary: 'How often --follow asks.', default: 2000, hidden: true}),
  }

  async run(): Promise<LogsResponse | undefined> {
    const {flags} = await this.parse(Logs)
    const api = await this.factory(flags).api()
    const filter: LogsFilter = {since: flags.since ? sinceToIso(flags.since) : undefined, instance: flags.instance, limit: flags.limit}
    if (flags.follow) {
      const json = this.jsonEnabled()
      await followLogs(api, filter, (entry) => this.io.stdout.write((json ? JSON.stringify(entry) : formatEntry(entry)) + '\n'), {
        intervalMs: flags.interval,
      })
      return undefined
    }
    const page = await readLogs(api, filter)
    if (page.entries.length === 0) this.out.note('No log entries' + (filter.since ? ' in that time.' : '.'))
    for (const entry of page.entries) this.out.say(formatEntry(entry))
    return page
  }
}

export interface LogsFilter {
  since?: string
  instance?: string
  limit: number
}

/** `--since 1h` (a duration back from now) or an ISO 8601 time, as the ISO time the API takes. */
export function sinceToIso(text: string, now: number = Date.now()): string {
  const trimmed = text.trim()
  try {
    return new Date(now - parseDuration(trimmed)).toISOString()
  } catch {}
  const at = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN
  if (Number.isNaN(at)) throw CliError.usage(`--since "${text}" is neither a duration nor a date.`, 'Pass a duration such as 1h or 7d, or an ISO time such as 2030-01-31T12:00:00Z.')
  return new Date(at).toISOString()
}

export function readLogs(api: Api, filter: LogsFilter, afterId?: string | null): Promise<LogsResponse> {
  return api.logs.list({query: {limit: filter.limit, since: filter.since, instance: filter.instance, after_id: afterId ?? undefined}})
}

/**
 * Prints the newest entries, then keeps asking for what came after the last one seen, every
 * `intervalMs`, until the signal aborts. Each entry is handed over exactly once, in order.
 */
export async function followLogs(
  api: Api,
  filter: LogsFilter,
  onEntry: (entry: AccessLogEntry) => void,
  opts: {intervalMs: number; signal?: AbortSignal},
): Promise<void> {
  let afterId: string | null = null
  while (!opts.signal?.aborted) {
    const page = await readLogs(api, filter, afterId)
    for (const entry of page.entries) onEntry(entry)
    afterId = page.next_after_id ?? afterId
    // A full page means more is waiting: ask again at once.
    if (page.entries.length < filter.limit) await delay(opts.intervalMs, undefined, {signal: opts.signal}).catch(() => {})
  }
}

/** One line per entry, for people. Requests: what, how it went, with which token from where. */
export function formatEntry(e: AccessLogEntry): string {
  const parts = [e.at]
  if (e.kind === 'request') {
    parts.push(`${e.method ?? '?'} ${e.route ?? '?'}`, String(e.status ?? '-'), `${e.duration_ms ?? 0}ms`)
    if (e.token_id) parts.push(`token=${e.token_id}`)
    if (e.ip) parts.push(`ip=${e.ip}`)
    if (e.instance_id) parts.push(`instance=${e.instance_id}`)
    if (e.client) parts.push(`client=${JSON.stringify(e.client)}`)
  } else {
    parts.push(e.event ?? 'event')
    if (e.instance_id) parts.push(`instance=${e.instance_id}`)
  }
  for (const [k, v] of Object.entries(e.detail ?? {})) parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return parts.join('  ')
}
