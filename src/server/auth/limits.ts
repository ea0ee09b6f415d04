import {createHmac} from 'node:crypto'
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

/** Emails are hashed in keys: the bucket table has no RLS and need not hold addresses. */
export function signInLimits(pepper: Buffer, ip: string, email: string): RateLimit[] {
  const who = createHmac('sha256', pepper).update('ratelimit-email\0' + email.trim().toLowerCase()).digest('hex').slice(0, 32)
  return [
    {key: `signin:ip:${ip}`, ...perMinutes(20, 10)},
    {key: `signin:email:${who}`, ...perMinutes(10, 10)},
  ]
}

export function signUpLimits(ip: string): RateLimit[] {
  return [{key: `signup:ip:${ip}`, ...perMinutes(10, 60)}]
}
