// @ts-check
// Seals a model key in this browser, to the instance's public key, and uploads only ciphertext to
// the same route `clawd keys set` uses (PUT /v1/instances/:id/keys/:name). The suite, the `info`
// and the AAD come from the very modules the CLI seals with (src/crypto/byok-suite.ts and
// byok-aad.ts, served built), so the instance opens this exactly like a key from the CLI.
import {encodeByokAad} from '/assets/lib/crypto/byok-aad.js'
import {byokInfo, byokSuite} from '/assets/lib/crypto/byok-suite.js'

const form = /** @type {HTMLFormElement | null} */ (document.getElementById('seal-key'))
const status = document.getElementById('seal-status')

/** @param {Uint8Array} bytes */
const b64url = (bytes) => {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
/** @param {string} text */
const fromB64url = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
/** @param {BufferSource} data */
const sha256hex = async (data) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map((b) => b.toString(16).padStart(2, '0')).join('')

/** @param {string} text @param {boolean} [error] */
function say(text, error = false) {
  if (!status) return
  status.textContent = text
  status.className = error ? 'notice error' : 'muted'
  status.setAttribute('role', error ? 'alert' : 'status')
}

async function seal() {
  if (!form) return
  const d = form.dataset
  const nameInput = /** @type {HTMLInputElement} */ (document.getElementById('key-name'))
  const keyInput = /** @type {HTMLInputElement} */ (document.getElementById('key-value'))
  const urlInput = /** @type {HTMLInputElement} */ (document.getElementById('key-base-url'))
  const name = nameInput.value.trim()
  const baseUrl = urlInput.value.trim()
  const plaintext = new TextEncoder().encode(keyInput.value.trim())
  // The key leaves the page's inputs at once; only the sealed bytes go on.
  keyInput.value = ''
  try {
    if (plaintext.length === 0) throw new Error('Enter the key.')
    const publicKey = fromB64url(d.publicKey ?? '')
    // The kid names this public key (its SHA-256 prefix): never seal to a key the page did not name.
    if ((await sha256hex(publicKey)).slice(0, 16) !== d.kid) throw new Error('The instance public key does not match its key id; reload the page.')
    const versions = JSON.parse(d.versions ?? '{}')
    const version = (versions[name] ?? 0) + 1
    const aad = encodeByokAad({userId: d.user ?? '', instanceId: d.instance ?? '', keyName: name, baseUrl, version})
    const suite = byokSuite()
    const recipientPublicKey = await suite.kem.deserializePublicKey(publicKey)
    const sealed = await suite.seal({recipientPublicKey, info: byokInfo(d.kid ?? '')}, plaintext, aad)
    const body = {
      kid: d.kid,
      enc: b64url(new Uint8Array(sealed.enc)),
      ct: b64url(new Uint8Array(sealed.ct)),
      version,
      fingerprint: (await sha256hex(plaintext)).slice(0, 8),
      ...(baseUrl ? {base_url: baseUrl} : {}),
    }
    plaintext.fill(0)
    say('Sealed in this browser; sending the ciphertext…')
    const res = await fetch(`/v1/instances/${encodeURIComponent(d.instance ?? '')}/keys/${encodeURIComponent(name)}`, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: {'content-type': 'application/json', 'x-clawd-csrf': d.csrf ?? ''},
      body: JSON.stringify(body),
    })
    if (!res.ok) {
      const problem = await res.json().catch(() => ({}))
      throw new Error([problem.detail ?? problem.title ?? `The server answered ${res.status}.`, problem.hint].filter(Boolean).join(' '))
    }
    location.assign(`${location.pathname}?done=set`)
  } catch (error) {
    plaintext.fill(0)
    say(error instanceof Error ? error.message : String(error), true)
  }
}

form?.addEventListener('submit', (event) => {
  event.preventDefault()
  void seal()
})
