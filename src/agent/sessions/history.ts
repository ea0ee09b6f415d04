import type {TranscriptMessage} from '../../contract/sessions.js'
import type {ProviderMessage} from '../providers/types.js'
import {clampToBudget} from '../prompt-trim.js'
import {DISPLAY_OUTPUT_CHARS} from './tool-loop.js'

/** The past conversation's budget in characters (~50k tokens: with the workspace prompt, well inside any context window). */
export const HISTORY_MAX_CHARS = 200_000

/**
 * The conversation for the model, from the persisted transcript (its last message is the one being
 * answered). A past answer with tools comes back in the providers' native shape: its calls, their
 * results, then its text. The transcript keeps no steps and shortened outputs, so the calls read as
 * one step; long string arguments are shortened alike. Ids are renumbered `past_N` over the whole
 * transcript: providers reuse ids across turns (Anthropic refuses duplicates), and these do not
 * move from turn to turn (a stable prefix for prompt caches). Without tools for this message, past
 * answers are text only (Anthropic refuses tool blocks then). Failed answers are left out. Over
 * `maxChars`, whole exchanges (a user message and its answer) go, oldest first: no call loses its
 * result, the user's message comes first, and the one being answered always stays.
 */
export function historyFromTranscript(transcript: readonly TranscriptMessage[], opts: {withTools: boolean; maxChars?: number}): ProviderMessage[] {
  const exchanges: Array<{messages: ProviderMessage[]; chars: number}> = []
  let numbered = 0
  for (const m of transcript) {
    if (m.role === 'user') {
      exchanges.push({messages: [{role: 'user', content: m.content}], chars: m.content.length})
      continue
    }
    const exchange = exchanges.at(-1)
    if (!exchange || m.error) continue
    const tools = m.tools ?? []
    const calls = tools.map((t) => ({id: `past_${++numbered}`, name: t.name, input: JSON.stringify(t.arguments, shortenStrings)}))
    if (opts.withTools && calls.length > 0) {
      const results = tools.map((t, i) => ({id: calls[i]!.id, name: t.name, ok: t.ok, output: t.output}))
      exchange.messages.push({role: 'assistant', content: '', toolCalls: calls}, {role: 'tool', results})
      exchange.chars += calls.reduce((n, c, i) => n + c.name.length + c.input.length + results[i]!.output.length, 0)
    }
    if (m.content !== '') {
      exchange.messages.push({role: 'assistant', content: m.content})
      exchange.chars += m.content.length
    }
  }
  const budget = opts.maxChars ?? HISTORY_MAX_CHARS
  let from = exchanges.length - 1
  let used = exchanges[from]?.chars ?? 0
  while (from > 0 && used + exchanges[from - 1]!.chars <= budget) used += exchanges[--from]!.chars
  return exchanges.slice(Math.max(from, 0)).flatMap((e) => e.messages)
}

/** JSON.stringify's replacer: every string value of the arguments at most as long as a shown output. */
function shortenStrings(key: string, value: unknown): unknown {
  return typeof value === 'string' && key !== '' ? clampToBudget(value, DISPLAY_OUTPUT_CHARS) : value
}
