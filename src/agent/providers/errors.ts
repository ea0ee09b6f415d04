import type {StreamErrorCode} from '../../contract/stream.js'
import {clampToBudget} from '../prompt-trim.js'

/**
 * The code for a request the provider refused as such (400/404/413/422: unknown model, prompt too
 * long). The contract has no dedicated code yet; kept in one place so adding one is a one-line change.
 */
export const PROVIDER_REJECTED_CODE: StreamErrorCode = 'internal'

/**
 * A provider call that failed. `message` is one line meant for users: it names the provider and
 * what happened, and never contains the key, the request body or a provider's echo of either.
 */
export class ProviderError extends Error {
  readonly status: number | undefined
  /** Worth another attempt if no text has been streamed yet. */
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  readonly hint: string | undefined

  constructor(
    readonly code: StreamErrorCode,
    message: string,
    opts: {status?: number; retryable?: boolean; retryAfterMs?: number; hint?: string} = {},
  ) {
    super(message)
    this.name = 'ProviderError'
    this.status = opts.status
    this.retryable = opts.retryable ?? false
    this.retryAfterMs = opts.retryAfterMs
    this.hint = opts.hint
  }
}

export function abortedError(provider: string): ProviderError {
  return new ProviderError('aborted', `the ${provider} request was stopped`)
}

export function badStream(provider: string, what: string): ProviderError {
  return new ProviderError('provider_bad_stream', `${provider} sent a broken stream: ${what}`, {
    hint: 'Try again; if it keeps happening, the provider or a proxy in between is cutting the response.',
  })
}

/** Maps an HTTP error answer to a ProviderError. `body` is at most a few KiB of the answer. */
export function errorFromStatus(provider: string, status: number, headers: Headers, body: string, apiKey: string): ProviderError {
  const detail = describeErrorBody(body, apiKey)
  const retryAfterMs = parseRetryAfter(headers)
  if (status === 401 || status === 403) {
    // Providers echo (part of) the key in auth errors, so their text is never shown here.
    return new ProviderError('provider_auth', `${provider} rejected the API key (${status})`, {
      status,
      hint: `Set a valid key with \`clawd keys set ${provider}\`.`,
    })
  }
  if (status === 429) {
    const after = retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`
    return new ProviderError('provider_rate_limited', `${provider} is rate limiting requests (429${after})`, {
      status,
      retryable: true,
      retryAfterMs,
      hint: 'Wait a moment and try again, or check the rate limits of your provider account.',
    })
  }
  if (status === 529 || status >= 500 || status === 408) {
    const overloaded = status === 529 || /overloaded/i.test(detail.type)
    const what = overloaded ? `is overloaded (${status})` : `is unavailable (${status}${detail.type ? ` ${detail.type}` : ''})`
    return new ProviderError('provider_unavailable', `${provider} ${what}`, {
      status,
      retryable: true,
      retryAfterMs,
      hint: 'The provider is having trouble; try again shortly.',
    })
  }
  const said = [detail.type, detail.message].filter(Boolean).join(': ')
  return new ProviderError(PROVIDER_REJECTED_CODE, `${provider} refused the request (${status}${said ? ` ${said}` : ''})`, {
    status,
    hint: 'Check the model name with `clawd chat --model provider/model`.',
  })
}

/** Maps an error a provider reports inside a stream (Anthropic `event: error`, OpenAI `{"error":…}`). */
export function errorFromStreamPayload(provider: string, payload: unknown, apiKey: string): ProviderError {
  const detail = describeErrorObject(payload, apiKey)
  const type = detail.type.toLowerCase()
  if (/auth|permission|invalid_api_key/.test(type)) {
    return new ProviderError('provider_auth', `${provider} rejected the API key`, {hint: `Set a valid key with \`clawd keys set ${provider}\`.`})
  }
  if (/rate_limit/.test(type)) {
    return new ProviderError('provider_rate_limited', `${provider} is rate limiting requests`, {retryable: true})
  }
  if (/invalid_request|not_found|too_large/.test(type)) {
    const said = [detail.type, detail.message].filter(Boolean).join(': ')
    return new ProviderError(PROVIDER_REJECTED_CODE, `${provider} refused the request (${said})`)
  }
  const what = /overloaded/.test(type) ? 'is overloaded' : `reported an error${detail.type ? ` (${detail.type})` : ''}`
  return new ProviderError('provider_unavailable', `${provider} ${what} mid-stream`, {retryable: true})
}

/** `retry-after-ms` (OpenAI), `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'))
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms
  const raw = headers.get('retry-after')
  if (raw === null || raw.trim() === '') return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Removes the key and anything shaped like a provider key or bearer token from provider text. */
export function scrubSecrets(text: string, apiKey: string): string {
  let out = text
  if (apiKey.length >= 4) out = out.split(apiKey).join('[redacted]')
  return out
    .replace(/\b(?:sk|pk|rk)-[A-Za-z0-9_*.-]{4,}/g, '[redacted]')
    .replace(/\bBearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\s+/g, ' ')
    .trim()
}

interface ErrorDetail {
  type: string
  message: string
}

function describeErrorBody(body: string, apiKey: string): ErrorDetail {
  try {
    return describeErrorObject(JSON.parse(body), apiKey)
  } catch {
    return {type: '', message: ''}
  }
}

/** Anthropic: {type:'error', error:{type, message}}; OpenAI: {error:{type, code, message}}. */
function describeErrorObject(payload: unknown, apiKey: string): ErrorDetail {
  const error = isRecord(payload) && isRecord(payload.error) ? payload.error : isRecord(payload) ? payload : {}
  const type = [error.type, error.code].find(v => typeof v === 'string' && v.length > 0 && v !== 'error')
  const message = typeof error.message === 'string' ? error.message : ''
  return {type: scrubSecrets(String(type ?? ''), apiKey).slice(0, 60), message: clampToBudget(scrubSecrets(message, apiKey), 160)}
}

/** The egress proxy's refusal (src/agent/egress-fetch.ts EgressRefusedError) anywhere in the cause chain. */
export function egressRefusal(error: unknown): {status?: unknown; target?: unknown} | undefined {
  return inCauseChain(error, (e) => (e.name === 'EgressRefusedError' ? e : undefined))
}

/** The first thing `pick` finds along an error's cause chain (at most four deep). */
export function inCauseChain<T>(error: unknown, pick: (e: Record<string, unknown>) => T | undefined): T | undefined {
  for (let e: unknown = error, depth = 0; isRecord(e) && depth < 4; e = e.cause, depth++) {
    const found = pick(e)
    if (found !== undefined) return found
  }
  return undefined
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
