#!/usr/bin/env node
// `npm run demo`: the whole flow, offline, on embedded defaults. It starts the companion API on a
// free port with a temporary data dir (the embedded PostgreSQL), then drives the built CLI exactly
// as a person would: create an account on the dedicated plan, log in with the device flow, create
// an instance, hand it a key for the offline `dev` provider, chat (a plain answer, a paced one,
// and a turn where the agent uses its tools), and export the agent's workspace.
import {rmSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {clawd, deviceLogin, root, startServer, workspace} from './harness.js'

const work = workspace('clawd-demo-')
const env = {...work.env, NO_COLOR: process.env.NO_COLOR ?? ''}
const dataDir = join(work.dir, 'server')
const exportDir = resolve(process.env.CLAWD_DEMO_OUT ?? join(root, '.clawd-demo', 'my-agent'))
const email = 'demo@example.com'
const password = 'demo-password-' + Math.random().toString(36).slice(2)
const echo = {onOut: (d) => process.stdout.write(d), onErr: (d) => process.stderr.write(d)}
const show = (line) => process.stdout.write(`\n\x1b[1m$ ${line}\x1b[0m\n`)

async function step(args, opts = {}) {
  show(opts.display ?? `clawd ${args.join(' ')}`)
  return clawd(args, {env, ...echo, ...opts})
}

let server
try {
  show(`clawd server start --port 0 --data-dir ${dataDir}`)
  server = await startServer({env, dataDir, onErr: echo.onErr})
  await step(['server', 'users', 'create', '--email', email, '--plan', 'dedicated', '--data-dir', dataDir], {
    input: password + '\n',
    display: `clawd server users create --email ${email} --plan dedicated   # password from stdin`,
  })
  show(`clawd login --api ${server.url} --no-browser`)
  await deviceLogin({env, url: server.url, dataDir, email, ...echo, onApprove: (code) => show(`clawd server approve ${code} --email ${email}`)})
  env.CLAWD_API_URL = server.url
  await step(['whoami'])
  await step(['instance', 'create', 'demo', '--wait'])
  await step(['instance', 'list'])
  await step(['keys', 'set', 'dev'], {input: 'dev-demo-key\n', display: "printf 'dev-demo-key\\n' | clawd keys set dev"})
  await step(['keys', 'list'])
  await step(['chat', '-m', 'Hello! Who are you?', '--model', 'dev/echo'], {display: 'clawd chat -m "Hello! Who are you?" --model dev/echo'})
  await step(['chat', '-m', 'Tell me a story', '--model', 'dev/slow'], {display: 'clawd chat -m "Tell me a story" --model dev/slow   # a paced stream'})
  await step(['chat', '-m', 'Take a note for me', '--model', 'dev/tools'], {display: 'clawd chat -m "Take a note for me" --model dev/tools   # the agent uses its tools'})
  await step(['sessions', 'list'])
  rmSync(exportDir, {recursive: true, force: true})
  await step(['export', '--out', exportDir])
  process.stdout.write(`\nThe agent's workspace is in ${exportDir}.\nTake it to OpenClaw: cp -R ${exportDir}/. ~/.openclaw/workspace/\n`)
} catch (error) {
  process.stderr.write(`\ndemo failed: ${error.message}\n`)
  process.exitCode = 1
} finally {
  await server?.stop()
  work.dispose()
}
