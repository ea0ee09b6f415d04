import type {FastifyReply} from 'fastify'
import {type Html, html} from './html.js'

export const STYLESHEET_PATH = '/assets/clawd.css'

export interface SignedIn {
  email: string
  csrf: string
}

export type ConsoleSection = 'home' | 'instances' | 'account' | 'status'

export interface FrameOptions {
  /** Console pages: the navigation, with this section marked as current. */
  nav?: ConsoleSection
  /** A wide main column (tables), instead of the narrow one of the sign-in forms. */
  wide?: boolean
  /** Our own module scripts, by path (never inline: the CSP forbids inline script). */
  scripts?: string[]
}

const NAV: Array<[ConsoleSection, string, string]> = [
  ['home', '/', 'Dashboard'],
  ['instances', '/instances', 'Instances'],
  ['account', '/account', 'Account'],
  ['status', '/status', 'Status'],
]

function navBar(current: ConsoleSection): Html {
  return html`<nav aria-label="Console"><ul>${NAV.map(
    ([id, href, label]) => html`<li><a href="${href}"${id === current ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul></nav>`
}

/** The page frame: one stylesheet; scripts only where `opts.scripts` names our own modules. */
export function layout(title: string, body: Html, signedIn?: SignedIn, opts: FrameOptions = {}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · clawd</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
${(opts.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>
`)}</head>
<body>
<header>
<a class="brand" href="/">clawd</a>
${signedIn && opts.nav ? navBar(opts.nav) : ''}
${
  signedIn
    ? html`<form method="post" action="/signout" class="signout">
<span class="who">${signedIn.email}</span>
<input type="hidden" name="csrf" value="${signedIn.csrf}">
<button type="submit" class="link">Sign out</button>
</form>`
    : ''
}
</header>
<main${opts.wide ? html` class="wide"` : ''}>
${body}
</main>
</body>
</html>
`
}

export function sendPage(reply: FastifyReply, status: number, page: Html): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.value)
}

/** A message box; `kind` picks the colour. */
export function notice(kind: 'error' | 'info' | 'ok', text: string | undefined): Html | '' {
  return text ? html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>` : ''
}
