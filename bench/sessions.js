// Listing sessions: a page of 50 from an instance holding 10 and 10,000 sessions, read from the
// encrypted session index (the agent's real SessionStore over its real Vault): the first page
// after the agent starts (the index is replayed) and the next ones.
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {now, row} from './stats.js'

export async function benchSessionPages({sizes = [10, 10_000], runs = 20} = {}) {
  const {Vault} = await import('../dist/src/agent/vault.js')
  const {SessionStore} = await import('../dist/src/agent/sessions/store.js')
  const rows = []
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'clawd-bench-sessions-'))
    const key = randomBytes(32)
    try {
      const store = new SessionStore(await Vault.open(dir, key))
      const made = now()
      for (let i = 0; i < size; i++) {
        const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString()
        await store.create({id: `ses_${String(i).padStart(20, '0')}`, title: `s${i}`, model: 'dev/echo', created_at: at, updated_at: at, message_count: 0, usage: {input_tokens: 0, output_tokens: 0}})
      }
      const fillMs = now() - made
      const cold = []
      const warm = []
      for (let r = 0; r < runs; r++) {
        const fresh = new SessionStore(await Vault.open(dir, key))
        let t = now()
        await fresh.page(50)
        cold.push(now() - t)
        t = now()
        await fresh.page(50, {createdAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(size / 2) * 1000).toISOString(), id: 'ses_'})
        warm.push(now() - t)
      }
      rows.push(row(`a page of 50 at ${size} sessions, first after agent start`, cold, 'ms', {note: `made in ${Math.round(fillMs)} ms`}))
      rows.push(row(`a page of 50 at ${size} sessions, next pages`, warm, 'ms', {note: 'aim < 50 ms'}))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }
  return rows
}
