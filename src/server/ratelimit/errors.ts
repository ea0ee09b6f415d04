import {ApiError} from '../errors.js'
import type {RateLimitResult} from './bucket.js'

/** The 429 problem for a denied take, with `Retry-After` so clients know when to come back. */
export function rateLimited(result: RateLimitResult, detail: string, hint = 'Wait a moment and try again.'): ApiError {
  const retryAt = new Date(Date.now() + result.retryAfterSec * 1000)
  return new ApiError(429, 'rate_limited', 'Too many requests', {
    detail,
    hint,
    retry_at: retryAt.toISOString(),
    headers: {'retry-after': String(result.retryAfterSec)},
  })
}
