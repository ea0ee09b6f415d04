import type {DeviceGrantView} from '../auth/device-grants.js'
import {type Html, html} from './html.js'
import {notice} from './layout.js'

/** The page bodies. Every value a user or client supplied goes through `html` and is escaped. */

export function signInView(v: {csrf: string; next: string; email?: string; error?: string; info?: string}): Html {
  return html`<h1>Sign in</h1>
${notice('info', v.info)}${notice('error', v.error)}
<form method="post" action="/signin">
<input type="hidden" name="csrf" value="${v.csrf}">
<input type="hidden" name="next" value="${v.next}">
<label for="email">Email</label>
<input id="email" type="email" name="email" value="${v.email ?? ''}" autocomplete="username" required maxlength="254" autofocus>
<label for="password">Password</label>
<input id="password" type="password" name="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">Sign in</button>
</form>
<p class="muted">No account yet? <a href="/signup?next=${encodeURIComponent(v.next)}">Create one</a>.</p>`
}

export function signUpView(v: {csrf: string; next: string; email?: string; invite?: string; error?: string; minLength: number}): Html {
  return html`<h1>Create an account</h1>
${notice('error', v.error)}
<form method="post" action="/signup">
<input type="hidden" name="csrf" value="${v.csrf}">
<input type="hidden" name="next" value="${v.next}">
<label for="email">Email</label>
<input id="email" type="email" name="email" value="${v.email ?? ''}" autocomplete="username" required maxlength="254" autofocus>
<label for="password">Password <span class="muted">(at least ${v.minLength} characters)</span></label>
<input id="password" type="password" name="password" autocomplete="new-password" required minlength="${v.minLength}" maxlength="1024">
<label for="invite">Invite code <span class="muted">(optional: it signs you up into the plan it was made for)</span></label>
<input id="invite" class="code" type="text" name="invite" value="${v.invite ?? ''}" placeholder="INV-XXXXX-XXXXX-XXXXX-XXXXX" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64">
<button type="submit">Create account</button>
</form>
<p class="muted">Already have an account? <a href="/signin?next=${encodeURIComponent(v.next)}">Sign in</a>.</p>`
}

export function deviceEntryView(v: {csrf: string; userCode?: string; error?: string}): Html {
  return html`<h1>Connect a device</h1>
<p>Enter the code shown by the command that asked you to sign in (for example <code>clawd login</code>).</p>
${notice('error', v.error)}
<form method="post" action="/device">
<input type="hidden" name="csrf" value="${v.csrf}">
<label for="user_code">Code</label>
<input id="user_code" class="code" type="text" name="user_code" value="${v.userCode ?? ''}" placeholder="XXXX-XXXX" autocomplete="off" autocapitalize="characters" spellcheck="false" required maxlength="16" autofocus>
<button type="submit">Continue</button>
</form>`
}

function when(d: Date, now: number): string {
  const stamp = d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
  const minutes = Math.max(0, Math.round((now - d.getTime()) / 60_000))
  return `${stamp} (${minutes === 0 ? 'just now' : minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`})`
}

/**
 * RFC 8628 §5.4: the person must see who asked and confirm; nothing is approved by loading a page.
 */
export function deviceConfirmView(v: {csrf: string; grant: DeviceGrantView; email: string; now: number}): Html {
  const g = v.grant
  return html`<h1>Approve this sign-in?</h1>
<p>A device asks to act as <strong>${v.email}</strong>. Approve only if you started this sign-in yourself and the code below matches the one on your screen.</p>
<dl class="request">
<dt>Code</dt><dd class="user-code" id="user-code">${g.user_code}</dd>
<dt>Client</dt><dd id="client-id">${g.client_id}</dd>
<dt>From IP</dt><dd id="client-ip">${g.client_ip ?? 'unknown'}</dd>
<dt>Requested</dt><dd id="requested-at">${when(g.requested_at, v.now)}</dd>
<dt>Device</dt><dd id="user-agent">${g.user_agent ?? 'unknown'}</dd>
</dl>
<p class="muted">If you did not start this, choose Deny: someone may be trying to get you to sign them in.</p>
<form method="post" action="/device/decision">
<input type="hidden" name="csrf" value="${v.csrf}">
<input type="hidden" name="user_code" value="${g.user_code}">
<input type="hidden" name="grant_id" value="${g.id}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" class="deny">Deny</button>
</form>`
}

export function deviceDoneView(approved: boolean, clientId: string): Html {
  return approved
    ? html`<h1>Device approved</h1>${notice('ok', `${clientId} is now signed in. You can close this tab and return to your terminal.`)}`
    : html`<h1>Request denied</h1>${notice('info', `The sign-in request from ${clientId} was denied. Nothing was shared.`)}`
}

export function errorView(v: {title: string; detail?: string; hint?: string}): Html {
  return html`<h1>${v.title}</h1>
${notice('error', v.detail)}
${v.hint ? html`<p class="muted">${v.hint}</p>` : ''}
<p><a href="/">Back to the start page</a></p>`
}
