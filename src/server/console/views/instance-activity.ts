import type {AccessLogEntry} from '../../../contract/logs.js'
import type {Session, SessionDetail} from '../../../contract/sessions.js'
import {type Html, html} from '../../pages/html.js'
import {notice} from '../../pages/layout.js'
import {shortAgent, stamp, when} from '../format.js'
import {doneNotice, instanceHeader} from './instances.js'

type Inst = {id: string; name: string; state: string}

const SESSIONS_DONE: Record<string, string> = {deleted: 'The session was deleted.', cleared: 'Every session was deleted.'}

export function sessionsView(v: {csrf: string; instance: Inst; sessions: Session[]; now: number; done?: string}): Html {
  const i = v.instance
  return html`${instanceHeader(i, 'sessions')}
${doneNotice(v.done, SESSIONS_DONE)}
${
  v.sessions.length === 0
    ? html`<p>No conversations yet. <a href="/instances/${i.id}/chat">Start one</a>.</p>`
    : html`<table class="stack">
<caption class="visually-hidden">Sessions</caption>
<thead><tr><th scope="col">Title</th><th scope="col">Model</th><th scope="col">Messages</th><th scope="col">Last message</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${v.sessions.map(
        (s) => html`<tr>
<td data-label="Title"><a href="/instances/${i.id}/sessions/${s.id}">${s.title || 'Untitled'}</a></td>
<td data-label="Model"><code>${s.model}</code></td>
<td data-label="Messages" class="num">${s.message_count}</td>
<td data-label="Last message">${when(s.updated_at, v.now)}</td>
<td data-label="Actions"><div class="actions"><a href="/instances/${i.id}/chat?session=${s.id}">Continue<span class="visually-hidden"> ${s.title || 'Untitled'}</span></a>
<form method="post" action="/instances/${i.id}/sessions/${s.id}/delete"><input type="hidden" name="csrf" value="${v.csrf}"><button type="submit" class="danger small">Delete<span class="visually-hidden"> ${s.title || 'Untitled'}</span></button></form></div></td>
</tr>`,
      )}</tbody></table>
<form method="post" action="/instances/${i.id}/sessions/clear"><input type="hidden" name="csrf" value="${v.csrf}"><button type="submit" class="secondary">Delete all sessions</button></form>`
}`
}

export function transcriptView(v: {csrf: string; instance: Inst; session: SessionDetail}): Html {
  const i = v.instance
  const s = v.session
  const total = s.messages.reduce((t, m) => ({input: t.input + (m.usage?.input_tokens ?? 0), output: t.output + (m.usage?.output_tokens ?? 0)}), {input: 0, output: 0})
  return html`${instanceHeader(i, 'sessions')}
<h2>${s.title || 'Untitled'}</h2>
<p class="muted">Model <code>${s.model}</code> · ${s.messages.length} messages · ${total.input} input and ${total.output} output tokens · started ${stamp(s.created_at)}</p>
<div class="chat-log">${s.messages.map(
    (m) => html`<div class="msg ${m.role}"><span class="visually-hidden">${m.role === 'user' ? 'You' : 'Agent'}: </span>${m.content}${
      m.role === 'assistant'
        ? html`<span class="meta">${m.model ?? ''}${m.usage ? ` · ${m.usage.input_tokens} in / ${m.usage.output_tokens} out` : ''}${m.stop_reason && m.stop_reason !== 'end_turn' ? ` · ${m.stop_reason}` : ''}${m.error ? ` · ${m.error.message}` : ''}</span>`
        : ''
    }</div>`,
  )}</div>
<div class="actions"><a href="/instances/${i.id}/chat?session=${s.id}">Continue this conversation</a>
<form method="post" action="/instances/${i.id}/sessions/${s.id}/delete"><input type="hidden" name="csrf" value="${v.csrf}"><button type="submit" class="danger small">Delete session</button></form></div>`
}

export function logsView(v: {instance: Inst; entries: AccessLogEntry[]; now: number}): Html {
  const i = v.instance
  return html`${instanceHeader(i, 'logs')}
<p>Lifecycle events and the requests made to this instance, newest last. Logs never hold tokens, keys or message text.</p>
${
  v.entries.length === 0
    ? html`<p>Nothing logged yet.</p>`
    : html`<table class="stack">
<caption class="visually-hidden">Access and lifecycle log</caption>
<thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Status</th><th scope="col">From</th></tr></thead>
<tbody>${v.entries.map(
        (e) => html`<tr>
<td data-label="When" class="nowrap">${stamp(e.at)}</td>
<td data-label="What">${e.kind === 'lifecycle' ? html`<strong>${e.event ?? ''}</strong>` : html`<code>${e.method ?? ''} ${e.route ?? ''}</code>`}</td>
<td data-label="Status" class="num">${e.status ?? ''}</td>
<td data-label="From">${[e.ip, e.client ? shortAgent(e.client) : null].filter(Boolean).join(' · ')}</td>
</tr>`,
      )}</tbody></table>`
}
<p class="muted">From a terminal: <code>clawd instance logs ${i.name}</code></p>`
}

export function chatView(v: {csrf: string; instance: Inst & {model: string}; session?: SessionDetail; error?: string}): Html {
  const i = v.instance
  return html`${instanceHeader(i, 'chat')}
${notice('error', v.error)}
<p class="muted">${v.session ? html`Continuing <a href="/instances/${i.id}/sessions/${v.session.id}">${v.session.title || 'this session'}</a>. ` : ''}Model <code>${v.session?.model ?? i.model}</code>. <a href="/instances/${i.id}/chat">New conversation</a></p>
<div id="chat-log" class="chat-log" aria-live="polite">${(v.session?.messages ?? []).map(
    (m) => html`<div class="msg ${m.role}"><span class="visually-hidden">${m.role === 'user' ? 'You' : 'Agent'}: </span>${m.content}</div>`,
  )}</div>
<form id="chat" action="/instances/${i.id}/chat" method="get" data-instance="${i.id}" data-session="${v.session?.id ?? ''}" data-csrf="${v.csrf}">
<label for="message">Message</label>
<textarea id="message" class="message" required maxlength="100000"></textarea>
<div class="actions"><button type="submit" id="send">Send</button><button type="button" id="stop" class="secondary" disabled>Stop</button></div>
</form>
<p id="chat-status" class="muted" role="status"></p>`
}
