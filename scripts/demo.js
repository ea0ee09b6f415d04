#!/usr/bin/env node
// `npm run demo`: the whole flow, offline, on embedded defaults. It starts the companion API on a
// free port with a temporary data dir (the embedded PostgreSQL), then drives the built CLI exactly
// as a person would: create an account on the dedicated plan, log in with the device flow, create
// an instance, hand it a key for the offline `dev` provider, chat (a plain answer, a paced one,
// and a turn where the agent uses its tools), talk to it from a (fake, bundled) Telegram, and
// export the agent's workspace.
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
let telegram
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
  // Telegram, offline: the package's own fake of the Bot API plays Telegram and a phone.
  const {startFakeTelegram} = await import('../dist/src/dev/fake-telegram.js')
  const botToken = '123456789:AAdemo-token-for-the-bundled-fake-0001'
  const phone = {id: 555001, username: 'you'}
  telegram = await startFakeTelegram({bots: [{token: botToken, id: 123456789, username: 'clawd_demo_bot'}]})
  await step(['channels', 'add', 'telegram', '--telegram-api-url', telegram.url], {
    input: botToken + '\n',
    display: `printf '%s\\n' "$BOT_TOKEN" | clawd channels add telegram --telegram-api-url ${telegram.url}   # the bundled fake Bot API`,
  })
  const fromPhone = async (text) => {
    show(`(Telegram) @you → @clawd_demo_bot: ${text}`)
    const {replies} = await telegram.converse(botToken, phone, text)
    for (const r of replies) process.stdout.write(`(Telegram) bot → @you: ${r}\n`)
    return replies[0] ?? ''
  }
  const code = /pairing code is ([A-Z2-9]{8})/.exec(await fromPhone('Hi, from my phone!'))?.[1]
  if (!code) throw new Error('the bot did not answer with a pairing code')
  await step(['channels', 'pairing', 'approve', code])
  await fromPhone('Hello from Telegram!')
  await step(['sessions', 'list'])
  rmSync(exportDir, {recursive: true, force: true})
  await step(['export', '--out', exportDir])
  process.stdout.write(`\nThe agent's workspace is in ${exportDir}.\nTake it to OpenClaw: cp -R ${exportDir}/. ~/.openclaw/workspace/\n`)
} catch (error) {
  process.stderr.write(`\ndemo failed: ${error.message}\n`)
  process.exitCode = 1
} finally {
  await telegram?.close()
  await server?.stop()
  work.dispose()
}
