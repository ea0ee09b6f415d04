/** Edit distance (insert, delete, substitute, swap two neighbours), so `instanse` is 1 from `instance`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/**
 * The known command closest to what was typed, if it is close enough to be what was meant: at
 * most a third of its length away (at least 1, at most 3 edits). A command that only starts with
 * what was typed (`inst` → `instance`) counts too.
 */
export function nearestCommand(typed: string, known: readonly string[]): string | undefined {
  const word = typed.toLowerCase()
  let best: {id: string; distance: number} | undefined
  for (const id of new Set(known)) {
    const distance = id.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, id)
    if (!best || distance < best.distance || (distance === best.distance && id.length < best.id.length)) best = {id, distance}
  }
  if (!best) return undefined
  const allowed = Math.min(3, Math.max(1, Math.floor(best.id.length / 3)))
  return best.distance <= allowed ? best.id : undefined
}
