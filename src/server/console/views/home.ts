import type {Instance} from '../../../contract/instances.js'
import {type Html, html} from '../../pages/html.js'
import {relative} from '../format.js'
import {stateBadge} from './instances.js'

/** How to get the CLI and point it at this server: the same words signed in or out. */
export function installSteps(apiUrl: string): Html {
  return html`<ol class="steps">
<li>Install the CLI (Node.js 22 or newer): <code>npm install -g clawd</code></li>
<li>Log in to this server: <code>clawd login --api ${apiUrl}</code>. It shows a code; approve it here, on the <a href="/device">Connect a device</a> page.</li>
<li>Chat from your terminal: <code>clawd chat -m "hello"</code></li>
</ol>`
}

export function landingView(apiUrl: string): Html {
  return html`<h1>clawd</h1>
<p>Your own hosted agent, with its own sandbox, in the OpenClaw format. Bring your own model key: it is sealed to your instance before it leaves your machine or this browser, so this service never sees it in clear. Take your agent's files (SOUL.md and friends) to any OpenClaw install at any time.</p>
<div class="actions">
<a class="button" href="/signup">Create an account</a>
<a href="/signin">Sign in</a>
</div>
<h2>Use it from a terminal</h2>
${installSteps(apiUrl)}
<p class="muted">Service health and incidents: <a href="/status">status</a>.</p>`
}

export function dashboardView(v: {email: string; plan: string; instances: Instance[]; apiUrl: string; now: number}): Html {
  const running = v.instances.filter((i) => i.state === 'running').length
  return html`<h1>Dashboard</h1>
<p class="muted">Signed in as ${v.email} · ${v.plan} plan</p>
<div class="cards">
<section class="card" aria-labelledby="card-instances"><h3 id="card-instances">Instances</h3>
<p>${v.instances.length} instance${v.instances.length === 1 ? '' : 's'}, ${running} running.</p>
<p><a href="/instances">Manage instances</a></p></section>
<section class="card" aria-labelledby="card-account"><h3 id="card-account">Account</h3>
<p>API tokens, devices, your data.</p>
<p><a href="/account">Open account</a></p></section>
<section class="card" aria-labelledby="card-status"><h3 id="card-status">Service</h3>
<p>Health and incident timeline.</p>
<p><a href="/status">See status</a></p></section>
</div>
${
  v.instances.length === 0
    ? html`<h2>Next step</h2><p>Create your first instance on the <a href="/instances">Instances</a> page, set a model key, and chat with it here or from your terminal.</p>`
    : html`<h2>Your instances</h2>
<ul>${v.instances.map((i) => html`<li><a href="/instances/${i.id}">${i.name}</a> ${stateBadge(i.state)} <span class="muted">${i.model} · active ${relative(i.last_active_at, v.now)}</span></li>`)}</ul>`
}
<h2>Use it from a terminal</h2>
${installSteps(v.apiUrl)}`
}
