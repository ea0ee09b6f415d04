import type {HttpTransport} from './transport.js'

const PROBE_PATH = '/healthz'

/**
 * Whether anything answers HTTP at the API's address (any status: a 503 is still an API that is
 * there). Used only to explain a missing login, so it is quick and never retried.
 */
export async function apiAnswers(http: HttpTransport, api: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const url = new URL(PROBE_PATH, api.endsWith('/') ? api : `${api}/`).href
    await http.send({method: 'GET', url, retry: false, signal: AbortSignal.timeout(timeoutMs), headersTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs})
    return true
  } catch {
    return false
  }
}
