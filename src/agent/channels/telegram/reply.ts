import type {ToolName} from '../../tools/types.js'
import type {Session} from '../../../contract/sessions.js'
import {newId} from '../../../ids.js'
import type {AgentContext} from '../../context.js'
import {sessionsFeature} from '../../sessions/feature.js'
import type {BotApi} from './bot-api.js'
import {splitMessage} from './split.js'
import type {TelegramState} from './state.js'

/** Telegram shows "typing…" for about five seconds; renewed a little sooner. */
const TYPING_EVERY_MS = 4_000

export interface ChatTurn {
  chatId: string
  chatType: 'private' | 'group'
  chatTitle: string
  text: string
  model: string
  /** The tools this message may use (the API decided from the plan and policy). */
  allowedTools: readonly ToolName[]
}

/**
 * One Telegram message answered by the agent: the chat's own session (made on first contact and
 * listed by `clawd sessions list` with the channel named), the same answer path as the sessions
 * route (`runAnswer`), "typing…" while it works, and the answer sent back in pieces Telegram
 * accepts, in order. Group chats answer without MEMORY.md, as OpenClaw does for shared contexts.
 */
export async function answerChat(agent: AgentContext, state: TelegramState, api: BotApi, turn: ChatTurn): Promise<void> {
  const f = sessionsFeature(agent)
  const sid = await sessionForChat(f.store, state, turn)
  const live = await startWhenFree(f, sid)
  const typing = setInterval(() => void api.call('sendChatAction', {chat_id: turn.chatId, action: 'typing'}).catch(() => {}), TYPING_EVERY_MS)
  typing.unref()
  let text = ''
  let failure: string | undefined
  try {
    void api.call('sendChatAction', {chat_id: turn.chatId, action: 'typing'}).catch(() => {})
    await f.store.append(sid, {id: newId('msg'), role: 'user', content: turn.text, created_at: new Date().toISOString()})
    live.attach(0, (sent) => {
      if (sent === 'end') return
      if (sent.event.type === 'text.delta') text += sent.event.text
      else if (sent.event.type === 'error') failure = sent.event.message
    })
    const {runAnswer} = await import('../../sessions/answer.js')
    // A group is a shared context: the prompt builder leaves MEMORY.md out for it, as OpenClaw does.
    await runAnswer({agent, ...f}, live, turn.model, {
      allowedTools: turn.allowedTools,
      sessionKind: turn.chatType === 'group' ? 'group' : 'main',
    })
  } finally {
    f.answers.end(live)
    clearInterval(typing)
  }
  const reply = failure ? `${text ? `${text}\n\n` : ''}⚠️ ${failure}` : text
  for (const piece of splitMessage(reply || '(no answer)')) {
    await api.call('sendMessage', {chat_id: turn.chatId, text: piece})
  }
}

async function sessionForChat(store: ReturnType<typeof sessionsFeature>['store'], state: TelegramState, turn: ChatTurn): Promise<string> {
  const known = await state.sessionFor(turn.chatId)
  if (known && (await store.get(known))) return known
  const now = new Date().toISOString()
  const title = `Telegram ${turn.chatType === 'group' ? 'group' : 'chat'}: ${turn.chatTitle}`.slice(0, 200)
  const session: Session = {id: newId('ses'), title, model: turn.model, created_at: now, updated_at: now, message_count: 0, usage: {input_tokens: 0, output_tokens: 0}, channel: 'telegram'}
  await store.create(session)
  await state.setSessionFor(turn.chatId, session.id)
  return session.id
}

/** A chat answers one message at a time, in order: a message that arrives mid-answer waits its turn. */
async function startWhenFree(f: ReturnType<typeof sessionsFeature>, sid: string) {
  for (;;) {
    const live = f.answers.start(sid, newId('msg'), f.graceMs)
    if (live) return live
    const busy = f.answers.forSession(sid)
    // A finished answer is removed from the table a moment after it ends: give that a turn.
    if (!busy || busy.done) await new Promise((resolve) => setImmediate(resolve))
    else await new Promise<void>((resolve) => busy.attach(busy.events.length, (sent) => sent === 'end' && resolve()))
  }
}
