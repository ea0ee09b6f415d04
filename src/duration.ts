/** Parses durations such as `90d`, `30m`, `1h`, `45s`, `500ms`, or a bare number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!m) throw new Error(`invalid duration "${text}": use a number with ms, s, m, h or d (e.g. 30m, 90d)`)
  const n = Number(m[1])
  const unit = m[2] ?? 's'
  const factor = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[unit]!
  return Math.round(n * factor)
}
