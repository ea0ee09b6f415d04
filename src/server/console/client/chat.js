// @ts-check
// The chat page: streams the answer over the same SSE route `clawd chat` uses
// (POST /v1/instances/:id/sessions/:sid/messages), and Stop aborts it like Ctrl-C does
// (POST …/messages/:mid/abort). Text is put in with textContent only, never as HTML. The stream is
// read with the same event-stream parser as the CLI's (the built src/sse/parser.ts).
import {SseParser} from '/assets/lib/sse/parser.js'

const form = /** @type {HTMLFormElement | null} */ (document.getElementById('chat'))
const log = document.getElementById('chat-log')
const input = /** @type {HTMLTextAreaElement | null} */ (document.getElementById('message'))
const send = /** @type {HTMLButtonElement | null} */ (document.getElementById('send'))
const stop = /** @type {HTMLButtonElement | null} */ (document.getElementById('stop'))
const status = document.getElementById('chat-status')

const d = form?.dataset ?? {}
const base = `/v1/instances/${encodeURIComponent(d.instance ?? '')}/sessions`
const headers = {'content-type': 'application/json', 'x-clawd-csrf': d.csrf ?? ''}
let sessionId = d.session || ''
/** @type {string | null} */
let messageId = null

/** @param {string} text @param {boolean} [error] */
function say(text, error = false) {
  if (!status) return
  status.textContent = text
  status.className = error ? 'notice error' : 'muted'
}

/** @param {'user' | 'assistant'} role @param {string} text */
function bubble(role, text) {
  const div = document.createElement('div')
  div.className = `msg ${role}`
  const who = document.createElement('span')
  who.className = 'visually-hidden'
  who.textContent = role === 'user' ? 'You: ' : 'Agent: '
  const body = document.createElement('span')
  body.className = 'text'
  body.textContent = text
  div.append(who, body)
  log?.append(div)
  return {div, body}
}

/** @param {Response} res */
async function problemOf(res) {
  const p = await res.json().catch(() => ({}))
  return [p.detail ?? p.title ?? `The server answered ${res.status}.`, p.hint].filter(Boolean).join(' ')
}

/** Reads an SSE body and calls `onEvent` with each event's parsed data. @param {ReadableStream<Uint8Array>} stream @param {(e: any) => void} onEvent */
async function readEvents(stream, onEvent) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader()
  const parser = new SseParser()
  for (;;) {
    const {value, done} = await reader.read()
    if (done) break
    for (const event of parser.push(value)) if (event.data) onEvent(JSON.parse(event.data))
  }
}

async function ask(/** @type {string} */ text) {
  if (!sessionId) {
    const res = await fetch(base, {method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify({title: text.slice(0, 60)})})
    if (!res.ok) throw new Error(await problemOf(res))
    sessionId = (await res.json()).id
    history.replaceState(null, '', `${location.pathname}?session=${encodeURIComponent(sessionId)}`)
  }
  bubble('user', text)
  const answer = bubble('assistant', '')
  answer.div.setAttribute('aria-busy', 'true')
  const res = await fetch(`${base}/${encodeURIComponent(sessionId)}/messages`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {...headers, accept: 'text/event-stream'},
    body: JSON.stringify({content: text}),
  })
  if (!res.ok || !res.body) throw new Error(await problemOf(res))
  say('Answering…')
  await readEvents(res.body, (event) => {
    if (event.type === 'message.start') {
      messageId = event.message_id
      if (stop) stop.disabled = false
    } else if (event.type === 'text.delta') {
      answer.body.textContent += event.text
    } else if (event.type === 'message.end') {
      const meta = document.createElement('span')
      meta.className = 'meta'
      meta.textContent = `${event.usage.input_tokens} in / ${event.usage.output_tokens} out${event.stop_reason === 'end_turn' ? '' : ` · ${event.stop_reason}`}`
      answer.div.append(meta)
      say(event.stop_reason === 'aborted' ? 'Stopped.' : '')
    } else if (event.type === 'error') {
      say([event.message, event.hint].filter(Boolean).join(' '), event.code !== 'aborted')
    }
  })
  answer.div.removeAttribute('aria-busy')
}

form?.addEventListener('submit', async (event) => {
  event.preventDefault()
  const text = input?.value.trim() ?? ''
  if (!text || !input || !send) return
  input.value = ''
  send.disabled = true
  try {
    await ask(text)
  } catch (error) {
    say(error instanceof Error ? error.message : String(error), true)
  } finally {
    messageId = null
    send.disabled = false
    if (stop) stop.disabled = true
    input.focus()
  }
})

stop?.addEventListener('click', async () => {
  if (!messageId || !sessionId) return
  stop.disabled = true
  const res = await fetch(`${base}/${encodeURIComponent(sessionId)}/messages/${encodeURIComponent(messageId)}/abort`, {method: 'POST', credentials: 'same-origin', headers: {'x-clawd-csrf': d.csrf ?? ''}})
  if (!res.ok) say(await problemOf(res), true)
})
