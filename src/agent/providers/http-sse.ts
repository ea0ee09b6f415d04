import {ProviderError, abortedError, badStream, egressRefusal, errorFromStatus, inCauseChain} from './errors.js'
import {EVENT_STREAM} from '../../sse/frame.js'
import {SseLineTooLongError, SseParser, type SseEvent} from '../../sse/parser.js'
import {resolveTiming} from './retry.js'
import type {ProviderDeps, ProviderRequest} from './types.js'

const ERROR_BODY_LIMIT = 8 * 1024

/**
 * A provider's streamed call: POSTs `call`'s JSON body, asking for an event stream (with the
 * request's signal and deps' fetch), and yields the server-sent events of the answer. Every wait
 * (for headers and for each read) is bounded by the idle timeout; a stall, a drop, an abort or an
 * error status all end in a ProviderError (the key is only there to scrub it out of provider error
 * text). Leaving the loop early (or any failure) closes the HTTP request, so the provider stops generating.
 */
export async function* postProviderRequest(
  provider: string,
  req: ProviderRequest,
  deps: ProviderDeps,
  call: {url: string; headers: Record<string, string>; body: unknown},
): AsyncGenerator<SseEvent> {
  const {idleTimeoutMs} = resolveTiming(deps)
  const local = new AbortController()
  const signal = AbortSignal.any([req.signal, local.signal])
  const watch = new IdleWatch(idleTimeoutMs, () => local.abort())
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  const fail = (err: unknown, phase: 'connect' | 'read'): ProviderError => {
    if (err instanceof ProviderError) return err
    if (req.signal.aborted) return abortedError(provider)
    if (watch.fired) {
      return new ProviderError(
        'provider_connection',
        `${provider} sent nothing for ${formatSeconds(idleTimeoutMs)}${phase === 'connect' ? ' (no answer)' : ' mid-stream'}`,
        {retryable: true, hint: 'The provider stalled; try again.'},
      )
    }
    const refused = egressRefusal(err)?.status
    if (typeof refused === 'number') {
      // Asking again cannot change the proxy's allow-list.
      return new ProviderError('provider_connection', `the egress proxy does not allow ${provider}'s host (${refused})`, {
        hint: "Ask the server's operator to allow this provider's host, or use another base URL.",
      })
    }
    const cause = causeCode(err)
    return phase === 'connect'
      ? new ProviderError('provider_connection', `could not reach ${provider}${cause ? ` (${cause})` : ''}`, {
          retryable: true,
          hint: 'Check the base URL and that the egress proxy allows this host.',
        })
      : new ProviderError('provider_connection', `the connection to ${provider} dropped mid-stream${cause ? ` (${cause})` : ''}`, {
          retryable: true,
        })
  }

  try {
    if (req.signal.aborted) throw abortedError(provider)
    const headers = {'content-type': 'application/json', accept: EVENT_STREAM, ...call.headers}
    const init = {method: 'POST', headers, body: JSON.stringify(call.body), signal}
    const response = await watch.during(() => deps.fetch(call.url, init)).catch((err: unknown) => Promise.reject(fail(err, 'connect')))

    if (!response.ok) {
      // An unreadable body is no matter: the status alone still says what went wrong.
      const text = await watch.during(() => readLimitedText(response, ERROR_BODY_LIMIT)).catch(() => '')
      throw errorFromStatus(provider, response.status, response.headers, text, req.apiKey)
    }
    if (!response.body) throw badStream(provider, 'the answer had no body')

    const body = response.body.getReader()
    reader = body
    const decoder = new TextDecoder()
    const parser = new SseParser()
    for (;;) {
      const chunk = await watch.during(() => body.read()).catch((err: unknown) => Promise.reject(fail(err, 'read')))
      let events: SseEvent[]
      try {
        events = chunk.done ? [...parser.push(decoder.decode()), ...parser.end()] : parser.push(decoder.decode(chunk.value, {stream: true}))
      } catch (err) {
        if (err instanceof SseLineTooLongError) throw badStream(provider, err.message)
        throw err
      }
      // Yield with the idle watch disarmed: a slow consumer is not a stalled provider.
      for (const event of events) yield event
      if (chunk.done) return
    }
  } finally {
    watch.disarm()
    local.abort()
    reader?.cancel().catch(() => {})
  }
}

/** One timer per wait, so a consumer's own pace between reads never counts as idleness. */
class IdleWatch {
  fired = false
  private timer: NodeJS.Timeout | undefined
  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {}
  arm(): void {
    this.disarm()
    this.timer = setTimeout(() => {
      this.fired = true
      this.onIdle()
    }, this.ms)
  }
  disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
  /** `wait` with the watch armed for its duration. */
  async during<T>(wait: () => Promise<T>): Promise<T> {
    this.arm()
    try {
      return await wait()
    } finally {
      this.disarm()
    }
  }
}

async function readLimitedText(response: Response, limit: number): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    while (text.length < limit) {
      const {done, value} = await reader.read()
      if (done) break
      text += decoder.decode(value, {stream: true})
    }
  } finally {
    reader.cancel().catch(() => {})
  }
  return text.slice(0, limit)
}

/** A short, secret-free reason such as ECONNREFUSED or UND_ERR_SOCKET. */
function causeCode(err: unknown): string | undefined {
  return inCauseChain(err, (e) => (typeof e.code === 'string' && /^[A-Z0-9_]{3,40}$/.test(e.code) ? e.code : undefined))
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}
