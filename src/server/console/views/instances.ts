import type {Instance} from '../../../contract/instances.js'
import {type Html, html} from '../../pages/html.js'
import {notice} from '../../pages/layout.js'
import {stamp, when} from '../format.js'

/** bwrap with its namespaces, or a plain process (DESIGN §1 says which, and the page says so too). */
export function isolationText(iso: Instance['isolation']): string {
  if (!iso) return '—'
  return iso.mode === 'bwrap' ? `sandboxed (bwrap: ${iso.namespaces.join(', ') || 'no namespaces'})` : 'own process, no sandbox'
}

export function stateBadge(state: string): Html {
  return html`<span class="state ${state}">${state}</span>`
}

const DONE: Record<string, string> = {
  created: 'The instance is being created. It is ready when its state says running.',
  paused: 'The instance is paused. It resumes on its own when it is used.',
  resumed: 'The instance is resuming.',
  deleted: 'The instance and everything in it were deleted.',
}
export const doneNotice = (done: string | undefined, words: Record<string, string> = DONE) => notice('ok', done ? words[done] : undefined)

function stateAction(i: Instance, csrf: string, back: string): Html | '' {
  const action = i.state === 'running' ? 'pause' : i.state === 'paused' ? 'resume' : undefined
  if (!action) return ''
  return html`<form method="post" action="/instances/${i.id}/${action}">
<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="back" value="${back}">
<button type="submit" class="secondary small">${action === 'pause' ? 'Pause' : 'Resume'}<span class="visually-hidden"> ${i.name}</span></button>
</form>`
}

export function instancesView(v: {csrf: string; instances: Instance[]; plan: string; now: number; done?: string; error?: string}): Html {
  return html`<h1>Instances</h1>
${doneNotice(v.done)}${notice('error', v.error)}
${
  v.instances.length === 0
    ? html`<p>No instances yet. Create one below: it gets its own sandbox, key pair and workspace.</p>`
    : html`<table class="stack">
<caption class="visually-hidden">Your instances</caption>
<thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Model</th><th scope="col">Plan</th><th scope="col">Isolation</th><th scope="col">Last active</th><th scope="col">Pauses when idle</th><th scope="col">Removed if unused</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${v.instances.map(
        (i) => html`<tr>
<td data-label="Name" class="name"><a href="/instances/${i.id}">${i.name}</a></td>
<td data-label="State">${stateBadge(i.state)}</td>
<td data-label="Model"><code>${i.model}</code></td>
<td data-label="Plan">${v.plan}</td>
<td data-label="Isolation">${i.isolation ? (i.isolation.mode === 'bwrap' ? 'sandboxed' : 'own process') : '—'}</td>
<td data-label="Last active">${when(i.last_active_at, v.now)}</td>
<td data-label="Pauses">${i.pauses_at ? stamp(i.pauses_at) : '—'}</td>
<td data-label="Removed">${stamp(i.removes_at)}</td>
<td data-label="Actions"><div class="actions">${stateAction(i, v.csrf, '/instances')}</div></td>
</tr>`,
      )}</tbody></table>`
}
<h2>Create an instance</h2>
<form method="post" action="/instances" class="inline">
<input type="hidden" name="csrf" value="${v.csrf}">
<div class="field"><label for="name">Name <span class="muted">(optional)</span></label>
<input id="name" type="text" name="name" maxlength="32" pattern="[a-z0-9]([a-z0-9\-]{0,30}[a-z0-9])?" placeholder="my-agent" autocomplete="off"></div>
<div class="field"><label for="model">Model <span class="muted">(optional, provider/model)</span></label>
<input id="model" type="text" name="model" maxlength="200" placeholder="dev/echo" autocomplete="off"></div>
<button type="submit">Create instance</button>
</form>
<p class="muted">Names use lowercase letters, digits and hyphens. Without a model, the server's default is used.</p>`
}

export type InstanceTab = 'overview' | 'chat' | 'workspace' | 'keys' | 'sessions' | 'logs'
const TABS: Array<[InstanceTab, string, string]> = [
  ['overview', '', 'Overview'],
  ['chat', '/chat', 'Chat'],
  ['workspace', '/workspace', 'Workspace'],
  ['keys', '/keys', 'Keys'],
  ['sessions', '/sessions', 'Sessions'],
  ['logs', '/logs', 'Logs'],
]

/** The heading and tabs every page of one instance starts with. */
export function instanceHeader(i: {id: string; name: string; state: string}, tab: InstanceTab): Html {
  return html`<p class="muted"><a href="/instances">Instances</a> / ${i.name}</p>
<h1>${i.name} ${stateBadge(i.state)}</h1>
<nav class="tabs" aria-label="Instance"><ul>${TABS.map(
    ([id, path, label]) => html`<li><a href="/instances/${i.id}${path}"${id === tab ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul></nav>`
}

export function instanceOverviewView(v: {csrf: string; instance: Instance; plan: string; now: number; done?: string; error?: string}): Html {
  const i = v.instance
  return html`${instanceHeader(i, 'overview')}
${doneNotice(v.done)}${notice('error', v.error)}
${i.failure_reason ? notice('error', i.failure_reason) : ''}
<dl class="facts">
<dt>ID</dt><dd><code>${i.id}</code></dd>
<dt>Model</dt><dd><code>${i.model}</code></dd>
<dt>Plan</dt><dd>${v.plan}</dd>
<dt>Isolation</dt><dd>${isolationText(i.isolation)}</dd>
<dt>Created</dt><dd>${when(i.created_at, v.now)}</dd>
<dt>Last active</dt><dd>${when(i.last_active_at, v.now)}</dd>
<dt>Pauses when idle</dt><dd>${i.pauses_at ? when(i.pauses_at, v.now) : 'not running'}</dd>
<dt>Removed if unused</dt><dd>${when(i.removes_at, v.now)}</dd>
</dl>
<div class="actions">${stateAction(i, v.csrf, `/instances/${i.id}`)}<a href="/instances/${i.id}/chat">Chat with it</a></div>
<p class="muted">From a terminal: <code>clawd chat -i ${i.name}</code></p>
<section class="danger-zone" aria-labelledby="delete-heading">
<h2 id="delete-heading">Delete this instance</h2>
<p>Deleting removes its workspace, sessions and keys for good; its data key is destroyed, so no copy can be read again.</p>
<form method="post" action="/instances/${i.id}/delete">
<input type="hidden" name="csrf" value="${v.csrf}">
<label for="confirm">Type <strong>${i.name}</strong> to confirm</label>
<input id="confirm" type="text" name="confirm" autocomplete="off" spellcheck="false" required maxlength="64">
<button type="submit" class="danger">Delete instance</button>
</form>
</section>`
}
