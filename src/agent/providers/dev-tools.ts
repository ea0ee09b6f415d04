import {clampToBudget} from '../prompt-trim.js'
import type {ProviderEvent, ProviderMessage, ProviderRequest, ProviderToolCall, ProviderToolResult} from './types.js'

/**
 * Where `dev/tools` writes its note: a daily memory note (OpenClaw's `memory/YYYY-MM-DD-slug.md`,
 * UTC), so the workspace keeps it and `clawd export` and the prompt both see it.
 */
export function devToolsNotePath(now: Date = new Date()): string {
  return `memory/${now.toISOString().slice(0, 10)}-dev-tools.md`
}
/** The one command `dev/tools` runs: it shows the note is in the tool sandbox's workspace. */
export function devToolsCommand(notePath: string): string {
  return `wc -c ${notePath}`
}

type Step = Omit<ProviderToolCall, 'id'> & {say: string}

/**
 * The script of `dev/tools`, an offline tool-calling model: write a note, read it back, run one
 * command, then answer with what happened. Which step comes next depends only on the results
 * already in this turn, so the same conversation always gets the same reply. Steps whose tool is
 * not offered are skipped; with no tools at all it says so instead.
 */
export function devToolsTurn(req: Pick<ProviderRequest, 'messages' | 'tools'>): ProviderEvent[] {
  const offered = new Set((req.tools ?? []).map(t => t.name))
  const {userText, steps, results} = currentTurn(req.messages)
  // The path is chosen once per turn (a turn that crosses midnight keeps its note).
  const script = devToolsScript(userText, earlierNotePath(steps) ?? devToolsNotePath()).filter(step => offered.has(step.name))
  if (offered.size === 0) {
    return [
      {
        type: 'text',
        text:
          'This is dev/tools, the offline tool-calling model. This message may not use any tools (the instance is chat only), ' +
          'so it cannot write, read or run anything. On the dedicated plan, with a policy that allows them, it would.',
      },
    ]
  }
  const next = script[results.length]
  if (next) {
    // Ids are unique per call and stable for a given conversation.
    return [
      {type: 'text', text: next.say},
      {type: 'tool_call', id: `devtool_${results.length + 1}_${next.name}`, name: next.name, input: next.input},
    ]
  }
  return [{type: 'text', text: summary(script, results)}]
}

function devToolsScript(userText: string, path: string): Step[] {
  const note = `# A note from dev/tools\n\nWritten by the offline dev/tools model while answering: "${excerpt(userText)}"\n`
  return [
    {name: 'write', input: JSON.stringify({path, content: note}), say: `I'll write a note to ${path}.\n`},
    {name: 'read', input: JSON.stringify({path}), say: 'Now I read it back.\n'},
    {name: 'exec', input: JSON.stringify({command: devToolsCommand(path)}), say: 'And I run one command on it.\n'},
  ]
}

/** The note path of a call this turn already made, if any. */
function earlierNotePath(messages: readonly ProviderMessage[]): string | undefined {
  for (const m of messages) {
    if (m.role !== 'assistant') continue
    for (const call of m.toolCalls ?? []) {
      try {
        const path = (JSON.parse(call.input) as {path?: unknown}).path
        if (typeof path === 'string' && path.endsWith('-dev-tools.md')) return path
      } catch {}
    }
  }
  return undefined
}

function summary(script: Step[], results: readonly ProviderToolResult[]): string {
  const lines = results.map((r, i) => {
    const step = script[i]
    const first = r.output.split('\n').find(l => l.trim()) ?? ''
    return `- ${step?.name ?? r.name}: ${r.ok ? 'ok' : 'failed'}${first ? ` (${excerpt(first, 80)})` : ''}`
  })
  const allOk = results.every(r => r.ok)
  return `Done${allOk ? '' : ', with failures'}. This was dev/tools, the offline tool-calling model:\n${lines.join('\n')}\n`
}

/** The last user message, this turn's steps since (earlier turns' calls are not this turn's), and their results. */
function currentTurn(messages: readonly ProviderMessage[]): {userText: string; steps: readonly ProviderMessage[]; results: ProviderToolResult[]} {
  const start = messages.findLastIndex(m => m.role === 'user')
  const user = messages[start]
  const steps = messages.slice(start + 1)
  return {userText: user?.role === 'user' ? user.content : '', steps, results: steps.flatMap(m => (m.role === 'tool' ? [...m.results] : []))}
}

/** Text on one line, cut to `max` characters (never inside a surrogate pair). */
export function excerpt(text: string, max = 120): string {
  return clampToBudget(text.replace(/\s+/g, ' ').trim(), max)
}
