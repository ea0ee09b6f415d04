#!/usr/bin/env node
// `npm run bench`: speed and memory, measured on this machine and printed as tables. Nothing here
// asserts a figure: machines are shared and noisy, so the numbers are reported, not tested.
// Sections: cli, api, store, sessions, load, instances, tools, streams, channels, replicas (all by default; pick with `npm run bench -- store`).
import {cpus, loadavg} from 'node:os'
import {join} from 'node:path'
import {newAccount, startServer, workspace} from '../scripts/harness.js'
import {benchLoad, benchRps} from './api.js'
import {benchChannels} from './channels.js'
import {benchCli} from './cli.js'
import {benchInstances} from './instances.js'
import {printTable} from './stats.js'
import {benchStores, printStores} from './store.js'
import {benchSessionPages} from './sessions.js'
import {benchTools} from './tools.js'
import {benchReplicas} from './replicas.js'
import {benchStreams} from './streams.js'

const wanted = new Set(process.argv.slice(2))
const want = (name) => wanted.size === 0 || wanted.has(name)
const pgUrl = process.env.CLAWD_BENCH_DATABASE_URL ?? process.env.CLAWD_TEST_DATABASE_URL
process.stdout.write(`# clawd bench — node ${process.version}, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${cpus().length} cores\n`)

async function withServer(work, name, args, fn) {
  const dataDir = join(work.dir, name)
  const server = await startServer({env: work.env, dataDir, args})
  try {
    return await fn(server, dataDir)
  } finally {
    await server.stop()
  }
}

const work = workspace('clawd-bench-')
try {
  if (want('cli') || want('api')) {
    await withServer(work, 'api', [], async (server, dataDir) => {
      const {token} = await newAccount({env: work.env, url: server.url, dataDir, email: 'cli@bench.local'})
      if (want('cli')) printTable('CLI', await benchCli({env: {...work.env, CLAWD_API_URL: server.url}}))
      if (want('api')) printTable('API', await benchRps({url: server.url, token}))
    })
  }
  if (want('store')) printStores(await benchStores({work, pgUrl}))
  if (want('sessions')) printTable('Sessions (a page from the encrypted index)', await benchSessionPages())
  if (want('load')) {
    const rows = []
    const stores = [['embedded', []]]
    if (pgUrl) stores.push(['PostgreSQL', ['--database-url', pgUrl, '--database-schema', `clawd_bench_${process.pid}`]])
    for (const [label, args] of stores) {
      await withServer(work, `load-${label}`, [...args, '--rate-limit-token', 'off', '--rate-limit-ip', 'off'], async (server, dataDir) => {
        const tokens = []
        for (let i = 0; i < 5; i++) tokens.push((await newAccount({env: work.env, url: server.url, dataDir, email: `load${i}@bench.local`})).token)
        rows.push(...(await benchLoad({url: server.url, tokens, perUser: 1000, rate: 500, label})))
      })
    }
    if (!pgUrl) rows.push({name: 'load PostgreSQL', note: 'skipped: set CLAWD_TEST_DATABASE_URL'})
    printTable('Load (authenticated GETs)', rows)
  }
  if (want('instances')) printTable('Instances', await benchInstances({runs: 20}))
  if (want('tools')) printTable('Tools', await benchTools())
  if (want('streams')) printTable('Streams', await benchStreams({env: work.env, dataDir: join(work.dir, 'streams')}))
  if (want('channels')) printTable('Channels', await benchChannels({runs: 10}))
  if (want('replicas')) printTable('Replicas', await benchReplicas({env: work.env, dir: join(work.dir, 'replicas'), pgUrl}))
} finally {
  work.dispose()
}
process.stdout.write(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`)
