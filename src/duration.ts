/** Parses durations such as `90d`, `30m`, `1h`, `45s`, `500ms`, or a bare number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!m) throw new Error(`invalid duration "${text}": use a number with ms, s, m, h or d (e.g. 30m, 90d)`)
  const n = Number(m[1])
  const unit = m[2] ?? 's'
  const factor = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[unit]!
  return Math.round(n * factor)
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
