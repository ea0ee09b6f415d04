// @ts-check
// Uploads an OpenClaw workspace archive to the route `clawd config push` uses
// (PUT /v1/instances/:id/workspace, as application/x-tar): the server runs the same checks.
const form = /** @type {HTMLFormElement | null} */ (document.getElementById('upload-tar'))
const status = document.getElementById('upload-status')

/** @param {string} text @param {boolean} [error] */
function say(text, error = false) {
  if (!status) return
  status.textContent = text
  status.className = error ? 'notice error' : 'muted'
}

form?.addEventListener('submit', async (event) => {
  event.preventDefault()
  const input = /** @type {HTMLInputElement} */ (document.getElementById('tar'))
  const file = input.files?.[0]
  if (!file) return say('Choose a .tar file first.', true)
  say('Uploading…')
  const d = form.dataset
  const res = await fetch(`/v1/instances/${encodeURIComponent(d.instance ?? '')}/workspace`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: {'content-type': 'application/x-tar', 'x-clawd-csrf': d.csrf ?? ''},
    body: file,
  })
  const answer = await res.json().catch(() => ({}))
  if (!res.ok) {
    const first = (answer.rejected ?? []).slice(0, 5).map((/** @type {{path: string, message: string}} */ r) => `${r.path}: ${r.message}`)
    return say([answer.detail ?? `The server answered ${res.status}.`, ...first].join(' '), true)
  }
  location.assign(`${location.pathname}?done=uploaded`)
})
