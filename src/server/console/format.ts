/** Dates and numbers as the console shows them: UTC, minute precision, with a relative hint. */

export function stamp(value: string | Date | null | undefined): string {
  if (!value) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return '—'
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
}

export function relative(value: string | Date | null | undefined, now: number): string {
  if (!value) return 'never'
  const ms = new Date(value).getTime() - now
  const abs = Math.abs(ms)
  const [n, unit] =
    abs < 60_000 ? [0, ''] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'minute'] : abs < 86_400_000 ? [Math.round(abs / 3_600_000), 'hour'] : [Math.round(abs / 86_400_000), 'day']
  if (n === 0) return 'just now'
  const words = `${n} ${unit}${n === 1 ? '' : 's'}`
  return ms < 0 ? `${words} ago` : `in ${words}`
}

export const when = (value: string | Date | null | undefined, now: number) => (value ? `${stamp(value)} (${relative(value, now)})` : 'never')

export function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`
}

/** Enough of a User-Agent to recognise a browser, not the whole string; other clients (the CLI) as they name themselves. */
export function shortAgent(ua: string | null): string {
  if (!ua) return 'unknown browser'
  const product = /(Firefox|Edg|OPR|Chrome|HeadlessChrome|Safari)\/[\d.]+/.exec(ua)?.[0]
  const os = /\(([^;)]+)/.exec(ua)?.[1]
  return product ? [product, os].filter(Boolean).join(' on ') : ua.slice(0, 60)
}
