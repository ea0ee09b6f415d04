// The agent's tools: the overhead of one `exec` of `true` and one `read` through a real agent in
// its sandbox, and the agent's idle memory once tools have run.
import {row} from './stats.js'

export async function benchTools({runs = 30} = {}) {
  const {benchToolCalls} = await import('../dist/src/runtime/bench.js')
  const r = await benchToolCalls({runs})
  const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`
  const rows = [row('read AGENTS.md (agent socket round trip)', r.readMs, 'ms')]
  if (r.mode === 'bwrap') rows.push(row('exec `true` (nested sandbox, workspace copy in and out)', r.execTrueMs, 'ms', {note: 'aim < 30 ms over the command'}))
  else rows.push({name: 'exec', note: `skipped: ${r.mode} mode has no nested sandbox`})
  rows.push({name: 'idle agent after tool calls', note: `RSS ${mb(r.idleRssBytes)}, private ${mb(r.idlePrivateBytes)} (aim < 60 MB)`})
  return rows
}
