import type {ApiToken} from '../../../contract/auth.js'
import type {Logins} from '../../auth/logins.js'
import {type Html, html} from '../../pages/html.js'
import {notice} from '../../pages/layout.js'
import {shortAgent, stamp, when} from '../format.js'
import {doneNotice} from './instances.js'

const DONE: Record<string, string> = {revoked: 'The token was revoked. Anything using it is refused from now on.'}

export function accountView(v: {
  csrf: string
  email: string
  plan: string
  tokens: ApiToken[]
  logins: Logins
  now: number
  created?: {name: string; token: string}
  done?: string
  error?: string
}): Html {
  return html`<h1>Account</h1>
<p class="muted">${v.email} · ${v.plan} plan</p>
${doneNotice(v.done, DONE)}${notice('error', v.error)}
<h2 id="tokens-heading">API tokens</h2>
<p>Long-lived tokens for CI and scripts: set <code>CLAWD_TOKEN</code> to one.</p>
${
  v.created
    ? html`<div class="notice ok" role="status"><p>Token <strong>${v.created.name}</strong> created. Copy it now: it is shown only once.</p>
<p class="once" id="new-token">${v.created.token}</p></div>`
    : ''
}
${
  v.tokens.length === 0
    ? html`<p class="muted">No API tokens.</p>`
    : html`<table class="stack" aria-labelledby="tokens-heading">
<thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${v.tokens.map(
        (t) => html`<tr>
<td data-label="Name">${t.name}</td>
<td data-label="Created">${stamp(t.created_at)}</td>
<td data-label="Expires">${t.expires_at ? stamp(t.expires_at) : 'never'}</td>
<td data-label="Last used">${when(t.last_used_at, v.now)}</td>
<td data-label="Actions"><form method="post" action="/account/tokens/${t.id}/revoke"><input type="hidden" name="csrf" value="${v.csrf}"><button type="submit" class="danger small">Revoke<span class="visually-hidden"> ${t.name}</span></button></form></td>
</tr>`,
      )}</tbody></table>`
}
<form method="post" action="/account/tokens" class="inline">
<input type="hidden" name="csrf" value="${v.csrf}">
<div class="field"><label for="token-name">Name</label><input id="token-name" type="text" name="name" required maxlength="64" placeholder="github-actions" autocomplete="off"></div>
<div class="field"><label for="token-expires">Expires after</label>
<select id="token-expires" name="expires_in_days"><option value="30">30 days</option><option value="90" selected>90 days</option><option value="365">1 year</option><option value="">never</option></select></div>
<button type="submit">Create token</button>
</form>
<h2 id="logins-heading">Devices and logins</h2>
<table class="stack" aria-labelledby="logins-heading">
<thead><tr><th scope="col">Where</th><th scope="col">Signed in</th><th scope="col">From</th><th scope="col">Last used</th></tr></thead>
<tbody>${v.logins.browsers.map(
    (b) => html`<tr><td data-label="Where">Browser${b.current ? html` <strong>(this one)</strong>` : ''}<br><span class="muted">${shortAgent(b.user_agent)}</span></td><td data-label="Signed in">${stamp(b.created_at)}</td><td data-label="From">${b.client_ip ?? '—'}</td><td data-label="Last used">—</td></tr>`,
  )}${v.logins.devices.map(
    (d) => html`<tr><td data-label="Where">Device login <code>${d.client_id ?? 'unknown client'}</code></td><td data-label="Signed in">${stamp(d.created_at)}</td><td data-label="From">—</td><td data-label="Last used">${when(d.last_used_at, v.now)}</td></tr>`,
  )}</tbody></table>
<form method="post" action="/account/sign-out-everywhere"><input type="hidden" name="csrf" value="${v.csrf}">
<button type="submit" class="secondary">Sign out everywhere</button></form>
<p class="muted">Ends every browser session (this one too) and every device login. API tokens stay until you revoke them.</p>
<h2>Your data</h2>
<p><a href="/account/export.tar" download>Download all your data</a> <span class="muted">— one tar with everything the service holds on you except secrets, like <code>clawd export --all</code>.</span></p>
<section class="danger-zone" aria-labelledby="delete-account-heading">
<h2 id="delete-account-heading">Delete your account</h2>
<p>Deletes every instance with its workspace, sessions and keys, every token and login, and the account itself. This cannot be undone.</p>
<form method="post" action="/account/delete">
<input type="hidden" name="csrf" value="${v.csrf}">
<label for="confirm-email">Type your email, <strong>${v.email}</strong>, to confirm</label>
<input id="confirm-email" type="email" name="confirm_email" required maxlength="254" autocomplete="off">
<button type="submit" class="danger">Delete account</button>
</form>
</section>`
}

export function accountDeletedView(): Html {
  return html`<h1>Account deleted</h1>
${notice('ok', 'Your account and everything in it were deleted.')}
<p><a href="/">Back to the start page</a></p>`
}
