import type {StatusResponse} from '../../../contract/status.js'
import {api} from '../../../contract/routes/index.js'
import {type Html, html} from '../../pages/html.js'
import {stamp} from '../format.js'

const HEADLINE: Record<StatusResponse['status'], string> = {
  operational: 'All systems operational',
  degraded: 'Some parts are degraded',
  outage: 'Service disruption',
}

/** The public status page: components now, then incidents with their timelines, newest first. */
export function statusView(s: StatusResponse): Html {
  return html`<h1>Status</h1>
<p class="notice ${s.status === 'operational' ? 'ok' : 'error'}" role="status">${HEADLINE[s.status]}</p>
<table class="stack">
<caption class="visually-hidden">Components</caption>
<thead><tr><th scope="col">Component</th><th scope="col">State</th><th scope="col">Detail</th></tr></thead>
<tbody>${s.components.map(
    (c) => html`<tr><td data-label="Component">${c.name}</td><td data-label="State"><span class="state ${c.status}">${c.status}</span></td><td data-label="Detail">${c.detail ?? ''}</td></tr>`,
  )}</tbody></table>
<h2>Incidents</h2>
${
  s.incidents.length === 0
    ? html`<p>No incidents in the last days.</p>`
    : s.incidents.map(
        (i) => html`<section class="card" aria-labelledby="${i.id}">
<h3 id="${i.id}">${i.title} <span class="state ${i.impact}">${i.impact}</span></h3>
<p class="muted">${i.status === 'resolved' ? `Resolved ${stamp(i.resolved_at)}` : `Open since ${stamp(i.created_at)} · ${i.status}`}</p>
<ol class="timeline">${[...i.updates].reverse().map((u) => html`<li><strong>${u.status}</strong> <span class="muted">${stamp(u.at)}</span><br>${u.message}</li>`)}</ol>
</section>`,
      )
}
<p class="muted">Checked ${stamp(s.checked_at)}. Also as JSON at <a href="${api.service.status.path}">${api.service.status.path}</a>.</p>`
}
