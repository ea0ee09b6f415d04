import {ApiError} from '../errors.js'

/**
 * Concurrent answer streams per user, counted in this API process: a stream is bound to the
 * process that proxies it, so the count is exact per process (the plan's limit applies per
 * process when several API processes serve one user).
 */
export class StreamSlots {
  private readonly open = new Map<string, number>()

  acquire(userId: string, max: number): () => void {
    const n = this.open.get(userId) ?? 0
    if (n >= max) {
      throw new ApiError(429, 'rate_limited', 'Too many streams', {
        detail: `You already have ${n} answers streaming, the most your plan allows at once.`,
        hint: 'Wait for one to finish, or stop it, then try again.',
        headers: {'retry-after': '5'},
      })
    }
    this.open.set(userId, n + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.open.get(userId) ?? 1) - 1
      if (left <= 0) this.open.delete(userId)
      else this.open.set(userId, left)
    }
  }
}
