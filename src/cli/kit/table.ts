import type {Output} from './context.js'

/** Plain aligned columns for human output (`--json` is the format for scripts). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

/** How a list command shows its items to people: a table, or the `empty` line when there are none. */
export interface ListView<T> {
  empty: string
  /** The empty line is a note (stderr), not output. */
  emptyIsNote?: boolean
  headers: string[]
  row: (item: T) => string[]
}

export function sayList<T>(out: Output, items: T[], view: ListView<T>): void {
  if (items.length > 0) out.say(table(view.headers, items.map(view.row)))
  else if (view.emptyIsNote) out.note(view.empty)
  else out.say(view.empty)
}
