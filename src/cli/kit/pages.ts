import {Flags} from '@oclif/core'
import {DEFAULT_PAGE, MAX_PAGE} from '../../contract/paging.js'
import {BaseCommand} from './base-command.js'
import type {CommandContext, Output} from './context.js'
import {type ListView, sayList} from './table.js'

/** `--limit`, `--cursor` and `--all`, the same on every list command. */
export const pageFlags = {
  limit: Flags.integer({summary: `How many per page (1–${MAX_PAGE}).`, min: 1, max: MAX_PAGE, default: DEFAULT_PAGE}),
  cursor: Flags.string({summary: 'Continue after the page that printed this cursor.'}),
  all: Flags.boolean({summary: 'Every one, reading page after page.', exclusive: ['cursor']}),
}

export interface PageOptions {
  limit?: number
  cursor?: string
  all?: boolean
}

type Paged<K extends string, T> = {[key in K]: T[]} & {next_cursor: string | null}

/**
 * Reads a paged list (src/contract/page.ts) with `list`, a route of the API: one page, or with
 * `all` every page, concatenated. Returns the items and the cursor that continues after them
 * (null when there is nothing more).
 */
export async function readPages<K extends string, T>(
  list: (input: {query: {limit: number; cursor?: string}}) => Promise<Paged<K, T>>,
  key: K,
  opts: PageOptions,
): Promise<{items: T[]; next: string | null}> {
  const items: T[] = []
  let cursor = opts.cursor ?? null
  do {
    const page = await list({query: {limit: opts.all ? MAX_PAGE : (opts.limit ?? DEFAULT_PAGE), ...(cursor ? {cursor} : {})}})
    items.push(...page[key])
    cursor = page.next_cursor
  } while (opts.all && cursor)
  return {items, next: cursor}
}

/**
 * A list command's page: readPages, then the items for people (sayList) and, on stderr, how to
 * read on when more are left. Answers `{[key]: items, next_cursor}`, the list's --json document.
 */
export async function listPages<K extends string, T>(
  out: Output,
  list: (input: {query: {limit: number; cursor?: string}}) => Promise<Paged<K, T>>,
  key: K,
  opts: PageOptions,
  view: ListView<T> & {command: string},
): Promise<Paged<K, T>> {
  const {items, next} = await readPages(list, key, opts)
  sayList(out, items, view)
  if (next) out.note(`More ${key}: \`clawd ${view.command} --cursor ${next}\`, or --all for every one.`)
  return {[key]: items, next_cursor: next} as Paged<K, T>
}

/** `instance list` and `tokens list`: the page flags, and `list`, their logic callable without oclif. */
export function pagedListCommand<R>(spec: {summary: string; aliases?: string[]; examples?: string[]; list: (ctx: CommandContext, page: PageOptions) => Promise<R>}) {
  return class PagedListCommand extends BaseCommand {
    static override summary = spec.summary
    static override aliases = spec.aliases ?? []
    static override examples = spec.examples ?? BaseCommand.examples
    static override flags = {...pageFlags}

    async run(): Promise<R> {
      const {flags} = await this.parse(PagedListCommand)
      return spec.list(this.context(flags), flags)
    }
  }
}
