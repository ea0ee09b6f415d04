import {devToolsTurn, excerpt} from './dev-tools.js'
import {abortedError} from './errors.js'
import type {Provider, ProviderDeps, ProviderEvent, ProviderRequest} from './types.js'

const EXCERPT_MAX = 200
/** `dev/slow`: a pace a person can watch, and stop with Ctrl-C, whatever the server's setting. */
export const DEV_SLOW_DELAY_MS = 150

/**
 * An offline provider for the local server, the demo and tests: no network, no key. Its models:
 * - `dev/tools`: a deterministic tool-calling model (src/agent/providers/dev-tools.ts);
 * - `dev/slow`: the reply below, paced at DEV_SLOW_DELAY_MS per delta;
 * - any other (`dev/echo`…): answers from the last user message, deterministically, in several
 *   deltas, and says what it is.
 * `deltaDelayMs` pauses between deltas, so a demo or an interrupt test can watch the text arrive.
 */
export function createDevProvider(options: {deltaDelayMs?: number} = {}): Provider {
  const delayMs = Math.max(0, options.deltaDelayMs ?? 0)
  return {
    name: 'dev',
    async *stream(req: ProviderRequest, _deps: ProviderDeps): AsyncGenerator<ProviderEvent> {
      const turn = req.model === 'tools' ? devToolsTurn(req) : [{type: 'text' as const, text: devReply(req)}]
      const pace = req.model === 'slow' ? Math.max(delayMs, DEV_SLOW_DELAY_MS) : delayMs
      let deltas = 0
      let calledTools = false
      for (const event of turn) {
        if (event.type === 'text') {
          for (const text of splitIntoDeltas(event.text)) {
            await pause(pace)
            if (req.signal.aborted) throw abortedError('dev')
            deltas++
            yield {type: 'text', text}
          }
        } else if (event.type === 'tool_call') {
          calledTools = true
          yield event
        }
      }
      yield {
        type: 'done',
        stopReason: calledTools ? 'tool_use' : 'end_turn',
        usage: {input_tokens: estimateTokens(req), output_tokens: deltas},
      }
    },
  }
}

export const devProvider: Provider = createDevProvider()

/** The full reply the dev provider gives to a request. */
export function devReply(req: Pick<ProviderRequest, 'messages' | 'model'>): string {
  const last = [...req.messages].reverse().find((m): m is Extract<typeof m, {role: 'user'}> => m.role === 'user')
  const said = last ? excerpt(last.content, EXCERPT_MAX) : ''
  const echo = said ? `You said: "${said}".` : 'There was no message to answer.'
  return (
    `This reply comes from the dev provider (model "${req.model}"), an offline stand-in that never calls a model. ` +
    `${echo} Pick a real model with --model, e.g. anthropic/claude-sonnet-4-5, once a key is set.`
  )
}

/** Words with their following space, three to a delta: several deltas for any reply. */
function splitIntoDeltas(text: string): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [text]
  const deltas: string[] = []
  for (let i = 0; i < words.length; i += 3) deltas.push(words.slice(i, i + 3).join(''))
  return deltas
}

/** A rough, stable count (about four characters a token), so usage is never zero. */
function estimateTokens(req: ProviderRequest): number {
  const chars = req.system.length + req.messages.reduce((sum, m) => sum + (m.role === 'tool' ? m.results.reduce((n, r) => n + r.output.length, 0) : m.content.length), 0)
  return Math.max(1, Math.ceil(chars / 4))
}

function pause(ms: number): Promise<void> {
  // Even with no delay, give other tasks (an abort, a disconnect) a turn between deltas.
  return new Promise(resolve => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)))
}
