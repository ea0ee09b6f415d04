import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {DEFAULT_PAGE, MAX_PAGE} from '../../contract/paging.js'
import type {ApiClient} from './http/api-client.js'

/** `--limit`, `--cursor` and `--all`, the same on every list command. */
export const pageFlags = {
  limit: Flags.integer({summary: `How many per page (1–${MAX_PAGE}).`, min: 1, max: MAX_PAGE, default: DEFAULT_PAGE}),
  cursor: Flags.string({summary: 'Continue after the page that printed this cursor.'}),
  all: Flags.boolean({summary: 'Every one, reading page after page.', exclusive: ['cursor']}),
}

type Paged<K extends string, T> = {[key in K]: T[]} & {next_cursor: string | null}

/**
 * Reads a paged list (src/contract/page.ts): one page, or with `all` every page, concatenated.
 * Returns the items and the cursor that continues after them (null when there is nothing more).
 */
export async function readPages<K extends string, T>(
  client: ApiClient,
  path: string,
  schema: z.ZodType<Paged<K, T>>,
  key: K,
  opts: {limit?: number; cursor?: string; all?: boolean},
): Promise<{items: T[]; next: string | null}> {
  const items: T[] = []
  let cursor = opts.cursor ?? null
  do {
    const query = new URLSearchParams({limit: String(opts.all ? MAX_PAGE : (opts.limit ?? DEFAULT_PAGE)), ...(cursor ? {cursor} : {})})
    const page = await client.get(`${path}?${query}`, schema)
    items.push(...page[key])
    cursor = page.next_cursor
  } while (opts.all && cursor)
  return {items, next: cursor}
}
