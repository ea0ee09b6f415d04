import {decodeCursor, encodeCursor} from '../../contract/paging.js'
import {ApiError} from '../errors.js'

/**
 * Keyset pages over (created_at, id) for the API's lists (instances, tokens): `limit` rows after
 * the cursor's row, found by comparison, not by OFFSET, so a page costs the same wherever it is and
 * rows added meanwhile never shift it. The cursor holds created_at in microseconds, PostgreSQL's
 * full precision (a JavaScript Date would round it to milliseconds and repeat rows).
 */
export const PAGE_KEY = `(extract(epoch FROM created_at) * 1000000)::bigint`

export interface KeysetPage {
  /** SQL to add to the WHERE clause (`TRUE` on the first page), and its parameters. */
  where: string
  params: unknown[]
  order: string
  /** One more than the page, to know whether another follows. */
  fetch: number
}

export function keysetPage(opts: {order: 'asc' | 'desc'; limit: number; cursor?: string; firstParam: number}): KeysetPage {
  const order = opts.order === 'asc' ? `${PAGE_KEY} ASC, id ASC` : `${PAGE_KEY} DESC, id DESC`
  if (!opts.cursor) return {where: 'TRUE', params: [], order, fetch: opts.limit + 1}
  const after = decodeCursor(opts.cursor)
  if (!after || !/^\d{1,20}$/.test(after.createdAt)) throw ApiError.validation('cursor is not one this server gave out.', 'Start again without --cursor.')
  const [a, b] = [`$${opts.firstParam}`, `$${opts.firstParam + 1}`]
  const where = opts.order === 'asc' ? `(${PAGE_KEY}, id) > (${a}::bigint, ${b})` : `(${PAGE_KEY}, id) < (${a}::bigint, ${b})`
  return {where, params: [after.createdAt, after.id], order, fetch: opts.limit + 1}
}

/** The page's rows and the cursor after its last one (null when nothing follows). */
export function pageOf<R extends {id: string; page_key: string}>(rows: R[], limit: number): {rows: R[]; next: string | null} {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {rows: page, next: rows.length > limit && last ? encodeCursor(String(last.page_key), last.id) : null}
}
