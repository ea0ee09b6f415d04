// Replicas: what the internal hop adds to the time to first token (a request through a replica
// that does not run the instance, against one through the replica that does), and how long a
// drain takes to move one running instance with a 1 MB workspace. Needs PostgreSQL.
import {randomBytes} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import pg from 'pg'
import {clawd, newAccount, startServer} from '../scripts/harness.js'
import {now, row} from './stats.js'

async function firstDelta(url, token, instanceId, sid) {
  const t = now()
  const res = await fetch(`${url}/v1/instances/${instanceId}/sessions/${sid}/messages`, {
    method: 'POST',
    headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
    body: JSON.stringify({content: 'hi'}),
  })
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let buf = ''
  let ttft
  for (;;) {
    const {value, done} = await reader.read()
    if (done) break
    buf += decoder.decode(value, {stream: true})
    if (ttft === undefined && buf.includes('"type":"text.delta"')) ttft = now() - t
  }
  if (ttft === undefined) throw new Error(`no delta: ${buf.slice(0, 300)}`)
  return ttft
}

export async function benchReplicas({env, dir, pgUrl, runs = 60}) {
  if (!pgUrl) return [{name: 'replicas', note: 'skipped: set CLAWD_TEST_DATABASE_URL'}]
  const schema = `clawd_bench_rep_${process.pid}`
  const shared = {...env, CLAWD_MASTER_KEY: randomBytes(32).toString('hex')}
  const args = ['--database-url', pgUrl, '--database-schema', schema, '--internal-port', '0', '--messages-per-day', '1000000', '--max-running', '10']
  const a = await startServer({env: shared, dataDir: join(dir, 'a'), args})
  const b = await startServer({env: shared, dataDir: join(dir, 'b'), args})
  const rows = []
  try {
    const {token} = await newAccount({env: shared, url: a.url, dataDir: a.dataDir, email: 'replicas@bench.local'})
    const cliEnv = {...shared, CLAWD_API_URL: a.url, CLAWD_TOKEN: token}
    // The first instance goes to the replica that takes the request when all are empty: a.
    const created = JSON.parse((await clawd(['instance', 'create', 'bench', '--wait', '--json'], {env: cliEnv})).out)
    const session = async (url) =>
      (await (await fetch(`${url}/v1/instances/${created.id}/sessions`, {method: 'POST', headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'}, body: '{}'})).json()).id
    const sid = await session(a.url)
    for (let i = 0; i < 5; i++) {
      await firstDelta(a.url, token, created.id, sid)
      await firstDelta(b.url, token, created.id, sid)
    }
    const local = []
    const forwarded = []
    for (let i = 0; i < runs; i++) {
      local.push(await firstDelta(a.url, token, created.id, sid))
      forwarded.push(await firstDelta(b.url, token, created.id, sid))
    }
    rows.push(row('TTFT through the replica that runs it', local, 'ms'))
    rows.push(row('TTFT through another replica (signed hop)', forwarded, 'ms'))
    const sortedAdded = forwarded.map((v, i) => v - local[i])
    rows.push(row('added by the hop (pairwise)', sortedAdded, 'ms', {note: 'goal < 5 ms at p50'}))
    // The hop alone, without the answer: a small agent read (GET the sessions list).
    const list = async (url) => {
      const t = now()
      const res = await fetch(`${url}/v1/instances/${created.id}/sessions`, {headers: {authorization: `Bearer ${token}`}})
      await res.text()
      return now() - t
    }
    const listLocal = []
    const listForwarded = []
    for (let i = 0; i < runs * 2; i++) {
      listLocal.push(await list(a.url))
      listForwarded.push(await list(b.url))
    }
    rows.push(row('sessions list through the replica that runs it', listLocal, 'ms'))
    rows.push(row('sessions list through another replica', listForwarded, 'ms'))
    rows.push(row('added by the hop, sessions list (pairwise)', listForwarded.map((v, i) => v - listLocal[i]), 'ms'))

    // Drain: one running instance with a 1 MB workspace, from a to b.
    const push = join(dir, 'push')
    mkdirSync(push, {recursive: true})
    writeFileSync(join(push, 'SOUL.md'), '# Soul\n')
    writeFileSync(join(push, 'MEMORY.md'), '# Memory\n\n' + randomBytes(780_000).toString('base64').replace(/(.{100})/g, '$1\n'))
    await clawd(['config', 'push', push, '-i', 'bench'], {env: cliEnv})
    const t = now()
    const drained = JSON.parse((await clawd(['server', 'drain', '--data-dir', a.dataDir, '--json'], {env: shared})).out)
    const total = now() - t
    const moved = drained.moved[0]
    rows.push(row('drain of one running instance, 1 MB workspace', [moved.ms], 'ms', {note: `${moved.bytes} bytes of ciphertext; whole command ${Math.round(total)} ms`}))
  } finally {
    await Promise.all([a.stop(), b.stop()])
    const client = new pg.Client({connectionString: pgUrl})
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end())
  }
  return rows
}
