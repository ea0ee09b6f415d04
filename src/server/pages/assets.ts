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
input[type=email], input[type=password], input[type=text] { width: 100%; padding: 9px 10px; font: inherit; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); }
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
`

export async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get(STYLESHEET_PATH, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=3600')
    return reply.type('text/css; charset=utf-8').send(STYLESHEET)
  })
}
