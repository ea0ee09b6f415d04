// Small statistics and output helpers for `npm run bench`. Figures are reported, never asserted.
export function percentile(samples, p) {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}
export const median = (s) => percentile(s, 50)

export function row(name, samples, unit, extra = {}) {
  return {name, n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99), unit, ...extra}
}

export function printTable(title, rows) {
  const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1)) : (v ?? ''))
  const cols = ['name', 'n', 'p50', 'p95', 'p99', 'unit', 'note']
  const cells = rows.map((r) => cols.map((c) => fmt(r[c])))
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)))
  process.stdout.write(`\n## ${title}\n\n`)
  process.stdout.write(cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n')
  for (const r of cells) process.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n')
}

export const now = () => Number(process.hrtime.bigint()) / 1e6
