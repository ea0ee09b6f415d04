// The BUILT server (dist/) in this process, as the in-process figures (instances, channels) run it:
// a temp data dir, logs discarded, one user signed in, and a small HTTP client for that user.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Writable} from 'node:stream'
import {issueTokenPair} from '../dist/src/server/auth/token-store.js'
import {createUser} from '../dist/src/server/auth/users.js'
import {defaultConfig} from '../dist/src/server/config.js'
import {startServer} from '../dist/src/server/main.js'

const POLL_MS = 5
export const STEP_TIMEOUT_MS = 60_000

/**
 * Starts the server (`tune` adjusts its config first), signs a user in, runs `use`, then closes the
 * server and removes its data dir whatever `use` did. `name` tells the temp dir and the user apart.
 */
export async function withServer(name, tune, use) {
  const dataDir = mkdtempSync(join(tmpdir(), `clawd-${name}-`))
  const config = defaultConfig(dataDir)
  config.port = 0
  config.logLevel = 'warn'
  config.instances.sandbox = process.env.CLAWD_SANDBOX ?? 'auto'
  config.plans.free.messagesPerDay = 100_000
  tune(config)
  const server = await startServer(config, {logStream: new Writable({write: (_chunk, _enc, cb) => cb()})})
  try {
    const user = await createUser(server.ctx, `bench-${name}-${Date.now()}@example.com`, 'bench-password-1')
    const {accessToken} = await server.ctx.db.asSystem((q) => issueTokenPair(server.ctx, q, {userId: user.id, clientId: 'bench'}))
    return await use({server, user, api: client(server.url, accessToken)})
  } finally {
    await server.close()
    rmSync(dataDir, {recursive: true, force: true})
  }
}

/** A tiny API client: JSON calls, state polling, and time-to-first-byte/token requests. */
function client(url, token) {
  const headers = (body) => ({authorization: `Bearer ${token}`, ...(body === undefined ? {} : {'content-type': 'application/json'})})
  const call = (method, path, body) =>
    fetch(url + path, {method, headers: headers(body), body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(STEP_TIMEOUT_MS)})
  return {
    async json(method, path, body) {
      const res = await call(method, path, body)
      const text = await res.text()
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`)
      return text ? JSON.parse(text) : undefined
    },
    async waitState(ref, state) {
      const deadline = Date.now() + STEP_TIMEOUT_MS
      for (;;) {
        const row = await this.json('GET', `/v1/instances/${ref}`)
        if (row.state === state) return row
        if (row.state === 'failed') throw new Error(`instance ${ref} failed: ${row.failure_reason}`)
        if (Date.now() > deadline) throw new Error(`instance ${ref} is still ${row.state}, not ${state}`)
        await delay(POLL_MS)
      }
    },
    /** Resolves at the first byte of the answer's body, then drains it. */
    async firstByte(method, path) {
      const res = await call(method, path)
      if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`)
      const reader = res.body.getReader()
      await reader.read()
      for (;;) if ((await reader.read()).done) break
    },
    /** Resolves at the first text.delta of a message stream, then reads it to the end. */
    async firstToken(path, body) {
      const res = await call('POST', path, body)
      if (res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`)
      const reader = res.body.getReader()
      const decoder = new TextDecoder()
      let text = ''
      let seen = false
      for (;;) {
        const {value, done} = await reader.read()
        if (done) break
        if (seen) continue
        text += decoder.decode(value, {stream: true})
        if (text.includes('"type":"text.delta"')) seen = true
      }
      if (!seen) throw new Error(`the answer had no text: ${text.slice(0, 300)}`)
    },
  }
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
