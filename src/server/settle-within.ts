/** `promise`'s value, or `fallback` once `ms` have passed; the timer never outlives the race. */
export async function settleWithin<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))])
  } finally {
    clearTimeout(timer)
  }
}
