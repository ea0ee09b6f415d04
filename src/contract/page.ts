import {z} from 'zod'
import {DEFAULT_PAGE, MAX_PAGE} from './paging.js'

/** `?limit=&cursor=` of every paged list (instances, tokens, sessions): see paging.ts. */
export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/).optional(),
})

/** `next_cursor`: pass it as `cursor` for the next page; null on the last one. */
export const nextCursorSchema = z.string().nullable()
