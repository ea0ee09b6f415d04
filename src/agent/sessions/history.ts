import type {TranscriptMessage} from '../../contract/sessions.js'
import type {ProviderMessage} from '../providers/types.js'
import {shortenForDisplay} from './tool-loop.js'

/**
 * How much of the past conversation (text, tool arguments and results, in characters) goes to the
 * model with a message: about 50k tokens, so that with the workspace prompt (60,000 characters at
 * most by default) it stays well inside every provider's context window. Older turns go first.
 */
export const HISTORY_MAX_CHARS = 200_000

/**
 * The conversation as the model sees it, rebuilt from the persisted transcript (whose last message
 * is the one being answered). A past answer that used tools comes back in the providers' native
 * shape: its calls, their results, then its text. The transcript keeps what was shown, not the
 * steps nor whole outputs, so the calls read as one step and results are the shortened outputs;
 * long string arguments are shortened the same way. Call ids are renumbered (`past_1`…): providers
 * and dev models reuse ids across turns, which Anthropic refuses in one request; numbered over the
 * whole transcript, they stay the same from turn to turn (a stable prefix for prompt caches).
 *
 * Without tools for this message, past answers are text only: Anthropic refuses tool_use blocks
 * in a request that defines no tools. Failed answers, and answers that neither said nor did
 * anything, are left out. Over `maxChars`, whole exchanges (a user message and the answer to it)
 * go, oldest first, so no call loses its result and the first message is the user's, as both
 * providers require; the message being answered always stays.
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
    const firstNumber = numbered + 1
    numbered += tools.length
    if (opts.withTools && tools.length > 0) {
      const calls = tools.map((t, i) => ({id: `past_${firstNumber + i}`, name: t.name, input: JSON.stringify(t.arguments, shortenStrings)}))
      const results = tools.map((t, i) => ({id: calls[i]!.id, name: t.name, ok: t.ok, output: t.output}))
      exchange.messages.push({role: 'assistant', content: '', toolCalls: calls}, {role: 'tool', results})
      exchange.chars += calls.reduce((n, c, i) => n + c.name.length + c.input.length + results[i]!.output.length, 0)
    }
    if (m.content !== '') {
      exchange.messages.push({role: 'assistant', content: m.content})
      exchange.chars += m.content.length
    }
  }
  // The newest exchanges that fit; the last one (the message being answered) whatever its size.
  const budget = opts.maxChars ?? HISTORY_MAX_CHARS
  let from = exchanges.length - 1
  let used = exchanges[from]?.chars ?? 0
  while (from > 0 && used + exchanges[from - 1]!.chars <= budget) used += exchanges[--from]!.chars
  return exchanges.slice(Math.max(from, 0)).flatMap((e) => e.messages)
}

/** JSON.stringify's replacer: every string value of the arguments at most as long as a shown output. */
function shortenStrings(key: string, value: unknown): unknown {
  return typeof value === 'string' && key !== '' ? shortenForDisplay(value) : value
}
