import {setTimeout as wait} from 'node:timers/promises'
import {ProviderError, abortedError} from './errors.js'
import {DEFAULT_TIMING, type ProviderDeps, type ProviderEvent, type ProviderTiming} from './types.js'

export function resolveTiming(deps: ProviderDeps): ProviderTiming {
  return {...DEFAULT_TIMING, ...deps.timing}
}

/**
 * Runs `attempt` and, if it fails with a retryable error before any text was streamed, tries again
 * with exponential backoff and jitter (honouring the provider's retry-after), within a bounded
 * number of attempts and time. Once a token has reached the caller a failure ends the stream: a
 * retry would repeat or contradict text the user has already seen.
 */
export async function* withRetry(
  provider: string,
  signal: AbortSignal,
  deps: ProviderDeps,
  attempt: () => AsyncIterable<ProviderEvent>,
): AsyncGenerator<ProviderEvent> {
  const timing = resolveTiming(deps)
  const sleep = deps.sleep ?? ((ms: number) => wait(ms, undefined, {signal}))
  const random = deps.random ?? Math.random
  const started = Date.now()
  for (let n = 1; ; n++) {
    let streamedText = false
    try {
      for await (const event of attempt()) {
        // A tool call is output too: a retry could make the model ask for a different one.
        if (event.type !== 'done') streamedText = true
        yield event
      }
      return
    } catch (err) {
      const error = asProviderError(err, provider, signal)
      if (streamedText || !error.retryable || signal.aborted || n >= timing.maxAttempts) throw error
      const delay = retryDelay(n, timing, random, error.retryAfterMs)
      if (delay === undefined || Date.now() - started + delay > timing.retryBudgetMs) throw error
      await sleep(delay, signal).catch(() => {
        throw abortedError(provider)
      })
      if (signal.aborted) throw abortedError(provider)
    }
  }
}

/** Delay before attempt n+1, or undefined when the provider asks for a longer wait than we allow. */
export function retryDelay(n: number, timing: ProviderTiming, random: () => number, retryAfterMs?: number): number | undefined {
  const exponential = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** (n - 1))
  const jittered = Math.round(exponential * (0.5 + random() * 0.5))
  if (retryAfterMs === undefined) return jittered
  if (retryAfterMs > timing.maxDelayMs) return undefined
  return Math.max(jittered, Math.ceil(retryAfterMs))
}

function asProviderError(err: unknown, provider: string, signal: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err
  if (signal.aborted) return abortedError(provider)
  // A bug of ours, not the provider's: report it without retrying, and without its text (it could
  // quote a request).
  return new ProviderError('internal', `the ${provider} provider failed unexpectedly`)
}
