import {setTimeout as delay} from 'node:timers/promises'
import {parseDuration} from '../../duration.js'
import type {AccessLogEntry, LogsResponse} from '../../contract/logs.js'
import type {Api} from '../kit/http/api.js'
import {CliError} from '../kit/errors.js'

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
