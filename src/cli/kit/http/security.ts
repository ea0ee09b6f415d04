import {isIPv4, isIPv6} from 'node:net'
import {CliError} from '../errors.js'

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address) and the name localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost') return true
  if (isIPv4(host)) return host.startsWith('127.')
  if (isIPv6(host)) {
    if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host)
    if (mapped) return parseInt(mapped[1]!, 16) >> 8 === 127
    return /^::ffff:127\./.test(host)
  }
  return false
}

/**
 * Tokens travel only over https, or over plain http to this machine. Anything else would put a
 * bearer token on the network in clear text.
 */
export function assertSafeForTokens(apiUrl: string): void {
  const url = new URL(apiUrl)
  if (url.protocol === 'https:') return
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return
  throw new CliError({
    code: 'insecure_api',
    message: `Refusing to send credentials over plain http to ${url.host}.`,
    hint: 'Use the https:// URL of that API, or reach it through a tunnel on localhost (e.g. ssh -L 7420:localhost:7420).',
    exitCode: 2,
  })
}
