import type {Session, SessionDetail} from '../../contract/sessions.js'
import type {Usage} from '../../contract/stream.js'
import type {ListView} from '../kit/table.js'
import {describeCall, describeOutcome, toolMark} from './tool-lines.js'

const tokens = (u: Usage) => `${u.input_tokens} in / ${u.output_tokens} out`

/** `sessions list` for people. */
export const sessionsView: ListView<Session> & {command: string} = {
  command: 'sessions list',
  empty: 'No sessions yet. Start one with `clawd chat`.',
  headers: ['ID', 'TITLE', 'CHANNEL', 'MODEL', 'MESSAGES', 'TOKENS', 'UPDATED'],
  row: (s) => [s.id, s.title || '—', s.channel ?? 'cli', s.model, String(s.message_count), tokens(s.usage), s.updated_at],
}

/** A transcript for people: who said what, and what each answer cost in tokens. */
export function describeSession(s: SessionDetail): string[] {
  const lines = [`${s.title || 'Untitled session'} (${s.id})`, `  model:    ${s.model}`, `  created:  ${s.created_at}`, `  updated:  ${s.updated_at}`, `  messages: ${s.message_count}`, '']
  for (const m of s.messages) {
    if (m.role === 'user') lines.push(`── you · ${m.created_at}`)
    else {
      const facts = [m.model, m.usage ? `tokens ${tokens(m.usage)}` : undefined, m.stop_reason && m.stop_reason !== 'end_turn' ? `stopped: ${m.stop_reason}` : undefined]
      lines.push(`── agent · ${m.created_at}${facts.some(Boolean) ? ` · ${facts.filter(Boolean).join(' · ')}` : ''}`)
    }
    for (const t of m.tools ?? []) lines.push(`  ${toolMark(t)} ${describeCall(t)} · ${describeOutcome(t)}`)
    if (m.content) lines.push(m.content)
    if (m.interrupted) lines.push(`(interrupted: the agent stopped mid-answer; above is what it had saved, ${m.content.length} characters${m.tools?.length ? ` and ${m.tools.length} tool call(s)` : ''})`)
    if (m.error && !m.interrupted) lines.push(`(error ${m.error.code}: ${m.error.message})`)
    lines.push('')
  }
  lines.push(`Total: ${tokens(s.usage)} tokens`)
  return lines
}
