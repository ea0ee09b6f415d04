import type {KeyMetadata} from '../../../contract/keys.js'
import type {WorkspaceFile, WorkspaceRejection} from '../../../contract/workspace.js'
import {type Html, html} from '../../pages/html.js'
import {notice} from '../../pages/layout.js'
import {bytes, stamp, when} from '../format.js'
import {doneNotice, instanceHeader} from './instances.js'

type Inst = {id: string; name: string; state: string}

const WORKSPACE_DONE: Record<string, string> = {
  saved: 'Saved. The agent uses the new file from its next message.',
  uploaded: 'The workspace archive was applied.',
}

function rejections(list: readonly WorkspaceRejection[] | undefined): Html | '' {
  if (!list || list.length === 0) return ''
  return html`<ul class="notice error" role="alert">${list.map((r) => html`<li><code>${r.path}</code>: ${r.message}</li>`)}</ul>`
}

export function workspaceView(v: {
  csrf: string
  instance: Inst
  files: WorkspaceFile[]
  selected: {path: string; content: string; exists: boolean}
  done?: string
  error?: string
  rejected?: readonly WorkspaceRejection[]
}): Html {
  const i = v.instance
  return html`${instanceHeader(i, 'workspace')}
${doneNotice(v.done, WORKSPACE_DONE)}${notice('error', v.error)}${rejections(v.rejected)}
<p>The agent's markdown workspace, in the OpenClaw layout. Saving runs the same checks as <code>clawd config push</code>: names, UTF-8, size and a scan for anything that looks like a key or token.</p>
<table>
<caption class="visually-hidden">Workspace files</caption>
<thead><tr><th scope="col">File</th><th scope="col">Size</th></tr></thead>
<tbody>${v.files.map(
    (f) => html`<tr><td data-label="File"><a href="/instances/${i.id}/workspace?file=${encodeURIComponent(f.path)}"${f.path === v.selected.path ? html` aria-current="true"` : ''}>${f.path}</a></td><td data-label="Size" class="num">${bytes(Buffer.byteLength(f.content, 'utf8'))}</td></tr>`,
  )}</tbody></table>
<h2 id="edit-heading">${v.selected.exists ? html`Edit <code>${v.selected.path}</code>` : 'New file'}</h2>
<form method="post" action="/instances/${i.id}/workspace/file" aria-labelledby="edit-heading">
<input type="hidden" name="csrf" value="${v.csrf}">
${
  v.selected.exists
    ? html`<input type="hidden" name="path" value="${v.selected.path}">`
    : html`<label for="path">File name</label><input id="path" type="text" name="path" value="${v.selected.path}" placeholder="memory/2026-01-31.md" required maxlength="200" autocomplete="off" spellcheck="false">`
}
<label for="content">Content</label>
<textarea id="content" name="content" class="file" spellcheck="false">${v.selected.content}</textarea>
<div class="actions"><button type="submit">Save</button>${v.selected.exists ? html`<a href="/instances/${i.id}/workspace?file=">New file</a>` : ''}</div>
</form>
<h2>Import and export</h2>
<form id="upload-tar" class="inline" action="/instances/${i.id}/workspace" data-instance="${i.id}" data-csrf="${v.csrf}">
<div class="field"><label for="tar">OpenClaw workspace archive (.tar)</label>
<input id="tar" type="file" accept=".tar,application/x-tar"></div>
<button type="submit">Upload and replace</button>
</form>
<p id="upload-status" class="muted" role="status" aria-live="polite">Uploading replaces the whole workspace, and only if every file passes the checks.</p>
<p><a href="/instances/${i.id}/export.tar" download>Download the workspace (tar)</a> <span class="muted">— loads as is in any OpenClaw install, like <code>clawd export</code>.</span></p>`
}

const KEYS_DONE: Record<string, string> = {
  set: 'The key was sealed in this browser and stored. Only the instance can open it.',
  deleted: 'The key was deleted. The instance no longer holds it.',
}

export function keysView(v: {csrf: string; instance: Inst & {kid: string | null; publicKey: string | null}; userId: string; keys: KeyMetadata[]; now: number; done?: string; error?: string}): Html {
  const i = v.instance
  const versions = JSON.stringify(Object.fromEntries(v.keys.map((k) => [k.name, k.version])))
  return html`${instanceHeader(i, 'keys')}
${doneNotice(v.done, KEYS_DONE)}${notice('error', v.error)}
${
  v.keys.length === 0
    ? html`<p>No model keys yet. The offline <code>dev</code> provider needs none; set one for a real model.</p>`
    : html`<table class="stack">
<caption class="visually-hidden">Model keys</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Fingerprint</th><th scope="col">Version</th><th scope="col">Endpoint</th><th scope="col">Set</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${v.keys.map(
        (k) => html`<tr>
<td data-label="Name"><code>${k.name}</code></td>
<td data-label="Fingerprint"><code>${k.fingerprint}</code></td>
<td data-label="Version" class="num">${k.version}</td>
<td data-label="Endpoint">${k.base_url ?? 'provider default'}</td>
<td data-label="Set">${stamp(k.updated_at)}</td>
<td data-label="Last used">${when(k.last_used_at, v.now)}</td>
<td data-label="Actions"><form method="post" action="/instances/${i.id}/keys/${k.name}/delete"><input type="hidden" name="csrf" value="${v.csrf}"><button type="submit" class="danger small">Delete<span class="visually-hidden"> key ${k.name}</span></button></form></td>
</tr>`,
      )}</tbody></table>`
}
<h2>Set a key</h2>
${
  i.kid && i.publicKey
    ? html`<p>The key is sealed <strong>in this browser</strong> with HPKE to this instance's public key (key id <code>${i.kid}</code>) before it is sent: the service stores and forwards only ciphertext.</p>
<form id="seal-key" action="/instances/${i.id}/keys" method="get" data-user="${v.userId}" data-instance="${i.id}" data-kid="${i.kid}" data-public-key="${i.publicKey}" data-versions="${versions}" data-csrf="${v.csrf}">
<label for="key-name">Provider or name</label>
<input id="key-name" type="text" list="providers" value="anthropic" required maxlength="32" pattern="[a-z][a-z0-9\\-]{1,31}" autocomplete="off" spellcheck="false">
<datalist id="providers"><option value="anthropic"><option value="openai"><option value="dev"></datalist>
<label for="key-value">Key</label>
<input id="key-value" type="password" required maxlength="4096" autocomplete="off" spellcheck="false">
<label for="key-base-url">Base URL <span class="muted">(only for OpenAI-compatible endpoints)</span></label>
<input id="key-base-url" type="url" maxlength="2048" placeholder="https://openrouter.ai/api/v1" autocomplete="off">
<button type="submit">Seal and save</button>
</form>
<p id="seal-status" class="muted" role="status" aria-live="polite"></p>`
    : html`${notice('info', `This instance has no key pair yet (it is ${i.state}). Reload when it is running.`)}`
}
<p class="muted">From a terminal: <code>clawd keys set anthropic -i ${i.name}</code></p>`
}
