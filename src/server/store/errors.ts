// How store errors read to a client: the database being unreachable, or text it cannot hold.

/**
 * Errors that mean the database cannot be reached right now — down, restarting, refusing or
 * dropping connections, out of connection slots — as opposed to a query that is wrong. The API
 * answers those 503 (the client may retry), not 500 (a bug).
 */
const UNREACHABLE_CODES = new Set([
  // the socket (pg connecting or losing its connection)
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01', '57P02', '57P03', '53300',
  // PostgreSQL connection exceptions (class 08)
  '08000', '08001', '08003', '08004', '08006',
])

/** What node-postgres says, without a code, when a connection dies or cannot be had in time. */
const UNREACHABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i

export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false
  const {code, message, errors} = error as {code?: unknown; message?: unknown; errors?: unknown}
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true
  if (typeof message === 'string' && UNREACHABLE_MESSAGES.test(message)) return true
  // A connect to every address of a host (IPv4 and IPv6) fails as one AggregateError.
  return Array.isArray(errors) && errors.some((e) => isStoreUnavailable(e, depth + 1))
}

/**
 * PostgreSQL refusing text it cannot hold: a NUL byte (22021 character_not_in_repertoire; "invalid
 * byte sequence for encoding UTF8: 0x00") or a character it cannot convert (22P05).
 */
export function isUnstorableText(error: unknown): boolean {
  const code = (error as {code?: unknown} | null)?.code
  return code === '22021' || code === '22P05'
}
