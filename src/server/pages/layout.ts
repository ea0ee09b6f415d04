import type {FastifyReply} from 'fastify'
import {type Html, html} from './html.js'

export const STYLESHEET_PATH = '/assets/clawd.css'

export interface SignedIn {
  email: string
  csrf: string
}

/** The page frame: no scripts at all (the CSP forbids them), one stylesheet. */
export function layout(title: string, body: Html, signedIn?: SignedIn): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · clawd</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header>
<span class="brand">clawd</span>
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
<main>
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
