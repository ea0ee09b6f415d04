/** A timestamp as the API writes it (ISO 8601, UTC), from a Date or what a row holds; null stays null. */
export function iso<T extends Date | string | number | null>(d: T): T extends null ? null : string {
  return (d === null ? null : new Date(d).toISOString()) as T extends null ? null : string
}
