import {ProviderError, badStream, isRecord} from './errors.js'
import type {ProviderStopReason} from './types.js'

/** Parses one SSE data payload that must be a JSON object. */
export function parseEventData(provider: string, data: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    throw badStream(provider, 'a data line is not valid JSON')
  }
  if (!isRecord(value)) throw badStream(provider, 'a data line is not a JSON object')
  return value
}

/** A provider's stop reason in our terms, from its table; end_turn for any other (new ones included). */
export function stopReasonFrom(table: Readonly<Record<string, ProviderStopReason>>, reason: string): ProviderStopReason {
  return Object.hasOwn(table, reason) ? table[reason]! : 'end_turn'
}

/** A token count from a usage object, or undefined when absent or not a count. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined
}

/** base URL + path without doubled slashes; tolerates a base URL given with the path's prefix. */
export function joinUrl(provider: string, baseUrl: string, path: string, dropIfBaseEndsWith?: string): string {
  const base = baseUrl.trim().replace(/\/+$/, '')
  if (base === '') {
    throw new ProviderError('internal', `no base URL is set for ${provider}`, {
      hint: `Give one with \`clawd keys set ${provider} --base-url URL\` (e.g. http://127.0.0.1:11434/v1 for Ollama).`,
    })
  }
  if (!/^https?:\/\//i.test(base)) throw new ProviderError('internal', `the ${provider} base URL must start with http:// or https://`)
  const rest = dropIfBaseEndsWith && base.endsWith(dropIfBaseEndsWith) && path.startsWith(dropIfBaseEndsWith) ? path.slice(dropIfBaseEndsWith.length) : path
  return `${base}${rest}`
}

export function requireKey(provider: string, apiKey: string): void {
  if (apiKey.length === 0) {
    throw new ProviderError('no_key', `no ${provider} key is set for this instance`, {
      hint: `Hand the instance your key with \`clawd keys set ${provider}\`.`,
    })
  }
}
