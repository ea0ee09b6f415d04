import type {IncomingMessage} from 'node:http'
import type {LoggerOptions} from 'pino'
import {redactUserCodes} from './auth/redact-url.js'

/**
 * Log redaction (DESIGN §1: logs never hold tokens, keys or message text). Headers that carry
 * credentials, and any field whose name says it is a credential, are censored wherever they show up
 * in a log object up to three levels deep.
 */
const SECRET_NAMES = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'device_code',
  'key',
  'api_key',
  'apiKey',
  'secret',
  'ct',
  'enc',
  'content',
  'text',
  'x-clawd-instance-secret',
]

export function redactPaths(): string[] {
  const paths: string[] = []
  for (const name of SECRET_NAMES) {
    const seg = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `["${name}"]`
    paths.push(seg.slice(seg.startsWith('.') ? 1 : 0), `*${seg}`, `*.*${seg}`, `req.headers${seg}`, `res.headers${seg}`)
  }
  return paths
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {paths: redactPaths(), censor: '[redacted]'},
    serializers: {req: requestForLog},
  }
}

/** The request as Fastify logs it, with device user codes cut out of the URL. */
function requestForLog(req: IncomingMessage & {hostname?: string; host?: string; ip?: string; socket?: {remotePort?: number}}) {
  return {
    method: req.method,
    url: redactUserCodes(req.url ?? ''),
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }
}
