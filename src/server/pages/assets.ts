import type {FastifyInstance} from 'fastify'
import {STYLESHEET_PATH} from './layout.js'

/** The one stylesheet, kept in code so the built package needs no asset copying. */
const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #f6f7f9; --card: #fff; --muted: #5b6470; --accent: #2458d6; --danger: #b42318; --ok: #1a7f37; --border: #d5d9de; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --bg: #111418; --card: #1a1f25; --muted: #9aa3ad; --accent: #6d9bff; --danger: #ff7b72; --ok: #56d364; --border: #2e353d; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; justify-content: space-between; align-items: center; padding: 12px 24px; border-bottom: 1px solid var(--border); }
.brand { font-weight: 700; letter-spacing: .02em; }
.signout { display: flex; gap: 12px; align-items: center; margin: 0; }
.who { color: var(--muted); }
main { max-width: 460px; margin: 48px auto; padding: 28px; background: var(--card); border: 1px solid var(--border); border-radius: 10px; }
h1 { font-size: 1.4rem; margin: 0 0 16px; }
label { display: block; margin: 14px 0 4px; font-weight: 600; }
input[type=email], input[type=password], input[type=text], input[type=url] { width: 100%; padding: 9px 10px; font: inherit; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); }
input.code { font-family: ui-monospace, monospace; font-size: 1.3rem; letter-spacing: .12em; text-transform: uppercase; }
button { margin-top: 18px; padding: 9px 18px; font: inherit; font-weight: 600; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
button.deny { background: transparent; color: var(--danger); border: 1px solid var(--danger); margin-left: 8px; }
button.link { margin: 0; padding: 0; background: none; color: var(--accent); font-weight: 400; }
.notice { padding: 10px 12px; border-radius: 6px; border: 1px solid var(--border); }
.notice.error { border-color: var(--danger); color: var(--danger); }
.notice.ok { border-color: var(--ok); color: var(--ok); }
dl.request { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 16px 0; }
dl.request dt { color: var(--muted); }
dl.request dd { margin: 0; overflow-wrap: anywhere; }
.user-code { font-family: ui-monospace, monospace; font-size: 1.3rem; letter-spacing: .12em; }
.muted { color: var(--muted); font-size: .92rem; }
/* The console. */
a { color: var(--accent); }
a.button { display: inline-block; padding: 9px 18px; border-radius: 6px; background: var(--accent); color: #fff; font-weight: 600; text-decoration: none; }
a.brand { color: var(--fg); text-decoration: none; }
header { flex-wrap: wrap; gap: 8px 24px; }
header nav { flex: 1; }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 18px; list-style: none; margin: 0; padding: 0; }
nav a { color: var(--muted); text-decoration: none; padding: 4px 0; }
nav a:hover { color: var(--fg); }
nav a[aria-current=page] { color: var(--fg); font-weight: 600; border-bottom: 2px solid var(--accent); }
main.wide { max-width: 1040px; }
h2 { font-size: 1.1rem; margin: 28px 0 10px; }
h1 + .muted, h1 + p { margin-top: -6px; }
.tabs { margin: 0 0 20px; border-bottom: 1px solid var(--border); }
.tabs ul { gap: 2px 20px; }
.tabs a { display: inline-block; padding: 8px 0; }
table { width: 100%; border-collapse: collapse; margin: 8px 0 16px; }
th, td { text-align: left; padding: 8px 10px 8px 0; border-bottom: 1px solid var(--border); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: .88rem; }
td.num { font-variant-numeric: tabular-nums; }
td.name a, td code, .nowrap { white-space: nowrap; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.actions form { margin: 0; }
.actions button, td button, form.inline button { margin-top: 0; }
form.inline { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; margin: 0; }
form.inline label { margin: 0 0 4px; }
form.inline .field { flex: 1 1 200px; }
button.secondary { background: transparent; color: var(--accent); border: 1px solid var(--accent); }
button.danger { background: var(--danger); }
button.small { padding: 5px 12px; font-size: .9rem; }
button:disabled { opacity: .55; cursor: default; }
.state { display: inline-block; padding: 0 9px; border-radius: 999px; font-size: .85rem; border: 1px solid var(--border); white-space: nowrap; }
.state.running, .state.operational { color: var(--ok); border-color: var(--ok); }
.state.failed, .state.down, .state.major, .state.critical { color: var(--danger); border-color: var(--danger); }
.state.degraded, .state.minor { color: var(--muted); }
select, textarea { width: 100%; padding: 9px 10px; font: inherit; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); }
textarea.file { min-height: 340px; font: 14px/1.45 ui-monospace, monospace; }
textarea.message { min-height: 80px; }
input[type=file] { font: inherit; max-width: 100%; }
code, pre { font-family: ui-monospace, monospace; font-size: .92em; }
pre { background: var(--bg); border: 1px solid var(--border); border-radius: 6px; padding: 12px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.once { font-family: ui-monospace, monospace; overflow-wrap: anywhere; padding: 10px 12px; border: 1px dashed var(--ok); border-radius: 6px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; }
.card h3 { margin: 0 0 6px; font-size: 1rem; }
.card p { margin: 4px 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 12px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.danger-zone { margin-top: 32px; padding: 16px; border: 1px solid var(--danger); border-radius: 8px; }
.danger-zone h2 { margin-top: 0; color: var(--danger); }
.chat-log { display: flex; flex-direction: column; gap: 10px; margin: 12px 0; }
.msg { padding: 10px 14px; border-radius: 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.user { background: var(--bg); border: 1px solid var(--border); align-self: flex-end; max-width: 85%; }
.msg.assistant { border: 1px solid var(--accent); }
.msg .meta { display: block; color: var(--muted); font-size: .85rem; margin-top: 6px; white-space: normal; }
.timeline { list-style: none; padding: 0; margin: 8px 0; }
.timeline li { border-left: 3px solid var(--border); padding: 4px 0 10px 14px; }
.steps { padding-left: 1.2em; }
.steps li { margin: 6px 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 640px) {
  header { padding: 10px 14px; }
  main, main.wide { margin: 12px 8px; padding: 18px 14px; }
  table.stack thead { display: none; }
  table.stack tr { display: block; border-bottom: 1px solid var(--border); padding: 8px 0; }
  table.stack td { display: block; position: relative; border: 0; padding: 3px 0 3px 9em; min-height: 1.9em; overflow-wrap: anywhere; }
  table.stack td::before { content: attr(data-label); position: absolute; left: 0; width: 8.5em; color: var(--muted); font-weight: 600; }
  dl.facts { grid-template-columns: 1fr; gap: 0; }
  dl.facts dd { margin-bottom: 8px; }
}
`

export async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get(STYLESHEET_PATH, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=3600')
    return reply.type('text/css; charset=utf-8').send(STYLESHEET)
  })
}
