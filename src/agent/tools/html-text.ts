/**
 * HTML to readable text for web_fetch, without a DOM library (the agent stays small): drops what
 * is never content (head, script, style, svg, templates, comments), turns block elements into
 * line breaks, list items into "- " lines and links into "text (url)", decodes entities and
 * collapses whitespace. Good enough for articles and docs; not a renderer.
 */

const DROP = /<(script|style|noscript|head|svg|template|iframe|object|canvas)\b[\s\S]*?<\/\1\s*>/gi
const COMMENT = /<!--[\s\S]*?-->/g
const BLOCK = /<\/?(p|div|section|article|main|header|footer|nav|aside|h[1-6]|ul|ol|table|tr|blockquote|pre|form|figure|figcaption|dl|dt|dd|hr)\b[^>]*>/gi

const NAMED: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', copy: '©', reg: '®', laquo: '«', raquo: '»', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“'}

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10)
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole
    }
    return NAMED[body.toLowerCase()] ?? whole
  })
}

export function htmlToText(html: string): {title?: string; text: string} {
  const titleMatch = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html)
  const title = titleMatch ? decodeEntities(titleMatch[1]!.replace(/\s+/g, ' ').trim()) || undefined : undefined
  let s = html.replace(COMMENT, '').replace(DROP, '')
  s = s.replace(/<a\b[^>]*?href\s*=\s*["']([^"']*)["'][^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, inner: string) => {
    const label = inner.replace(/<[^>]+>/g, '').trim()
    return /^https?:/i.test(href) && label && label !== href ? `${inner} (${href})` : inner
  })
  s = s.replace(/<li\b[^>]*>/gi, '\n- ').replace(/<br\s*\/?>/gi, '\n').replace(/<\/t[dh]\s*>/gi, '\t').replace(BLOCK, '\n\n')
  s = decodeEntities(s.replace(/<[^>]+>/g, ''))
  const text = s
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\r\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
  return {title, text}
}
