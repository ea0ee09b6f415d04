/**
 * Lists are read a page at a time: `limit` items after an opaque `cursor`, and `next_cursor` (null
 * on the last page) to continue. Zod-free so the agent, which pages its sessions, can use it.
 */
export const DEFAULT_PAGE = 50
export const MAX_PAGE = 200

/** A cursor names the last item of a page by its sort key: base64url of `created_at|id`. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`, 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string): {createdAt: string; id: string} | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const bar = text.lastIndexOf('|')
  if (bar <= 0) return undefined
  return {createdAt: text.slice(0, bar), id: text.slice(bar + 1)}
}

/** `limit` from a query string: a whole number in 1..MAX_PAGE, else undefined (the caller says why). */
export function parseLimit(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return DEFAULT_PAGE
  if (!/^\d{1,4}$/.test(value)) return undefined
  const n = Number(value)
  return n >= 1 && n <= MAX_PAGE ? n : undefined
}
