import type {RateLimit} from '../ratelimit/bucket.js'

/**
 * The rate limits that protect auth. User codes are short enough for a person to type, so trying
 * codes is limited per IP and per account (RFC 8628 §5.1); passwords are limited per IP and per
 * email. A person never comes near these; a guessing script stops at once.
 */
const perMinutes = (count: number, minutes: number) => ({capacity: count, refillPerSec: count / (minutes * 60)})

export function codeEntryLimits(ip: string, userId: string): RateLimit[] {
  return [
    {key: `device-code:ip:${ip}`, ...perMinutes(10, 10)},
    {key: `device-code:user:${userId}`, ...perMinutes(10, 10)},
  ]
}

/**
 * Sign-in attempts per address. There is deliberately no per-email bucket: one would let anyone
 * lock a known email out. Wrong passwords instead earn growing delays per address AND email
 * (signin-throttle.ts), which never slow the owner down at another address.
 */
export function signInLimits(ip: string): RateLimit[] {
  return [{key: `signin:ip:${ip}`, ...perMinutes(20, 10)}]
}

/**
 * RFC 8628 device authorization requests per address. A person starts one login at a time; a
 * script asking for hundreds would fill the grants table and the user-code space.
 */
export function deviceAuthorizationLimits(ip: string): RateLimit[] {
  return [{key: `device-authz:ip:${ip}`, ...perMinutes(30, 1)}]
}

export function signUpLimits(ip: string): RateLimit[] {
  return [{key: `signup:ip:${ip}`, ...perMinutes(10, 60)}]
}
