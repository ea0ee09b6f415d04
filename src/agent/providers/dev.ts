import {abortedError} from './errors.js'
import type {Provider, ProviderDeps, ProviderEvent, ProviderRequest} from './types.js'

export interface DevProviderOptions {
  /** Pause between deltas, so a demo or an interrupt test can watch the text arrive. */
  deltaDelayMs?: number
}

const EXCERPT_MAX = 200

/**
 * An offline provider for the local server, the demo and tests: no network, no key. It answers
 * from the last user message, deterministically, in several deltas, and says what it is.
 */
export function createDevProvider(options: DevProviderOptions = {}): Provider {
  const delayMs = Math.max(0, options.deltaDelayMs ?? 0)
  return {
    name: 'dev',
    async *stream(req: ProviderRequest, _deps: ProviderDeps): AsyncGenerator<ProviderEvent> {
      const reply = devReply(req)
      const deltas = splitIntoDeltas(reply)
      for (const text of deltas) {
        await pause(delayMs)
        if (req.signal.aborted) throw abortedError('dev')
        yield {type: 'text', text}
      }
      yield {
        type: 'done',
        stopReason: 'end_turn',
        usage: {input_tokens: estimateTokens(req), output_tokens: deltas.length},
      }
    },
  }
}

export const devProvider: Provider = createDevProvider()

/** The full reply the dev provider gives to a request. */
export function devReply(req: Pick<ProviderRequest, 'messages' | 'model'>): string {
  const last = [...req.messages].reverse().find(m => m.role === 'user')
  const said = last ? excerpt(last.content) : ''
  const echo = said ? `You said: "${said}".` : 'There was no message to answer.'
  return (
    `This reply comes from the dev provider (model "${req.model}"), an offline stand-in that never calls a model. ` +
    `${echo} Pick a real model with --model, e.g. anthropic/claude-sonnet-4-5, once a key is set.`
  )
}

/** Words with their following space, three to a delta: several deltas for any reply. */
function splitIntoDeltas(text: string): string[] {
  const words = text.match(/\S+\s*/g) ?? [text]
  const deltas: string[] = []
  for (let i = 0; i < words.length; i += 3) deltas.push(words.slice(i, i + 3).join(''))
  return deltas
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= EXCERPT_MAX) return flat
  let end = EXCERPT_MAX - 1
  const code = flat.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return `${flat.slice(0, end)}…`
}

/** A rough, stable count (about four characters a token), so usage is never zero. */
function estimateTokens(req: ProviderRequest): number {
  const chars = req.system.length + req.messages.reduce((sum, m) => sum + m.content.length, 0)
  return Math.max(1, Math.ceil(chars / 4))
}

function pause(ms: number): Promise<void> {
  // Even with no delay, give other tasks (an abort, a disconnect) a turn between deltas.
  return new Promise(resolve => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)))
}
