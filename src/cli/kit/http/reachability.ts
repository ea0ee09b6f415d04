import type {HttpTransport} from './transport.js'

/**
 * Whether anything answers HTTP at the API's address (any status: a 503 is still an API that is
 * there). Used only to explain a missing login, so it is quick and never retried.
 */
export async function apiAnswers(http: HttpTransport, api: string, timeoutMs = 3000): Promise<boolean> {
  try {
    // Loaded here: it only runs when a command has no login to explain.
    const {serviceApi} = await import('../../../contract/routes/service.js')
    const url = new URL(serviceApi.health.path, api.endsWith('/') ? api : `${api}/`).href
    await http.send({method: 'GET', url, retry: false, signal: AbortSignal.timeout(timeoutMs), headersTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs})
    return true
  } catch {
    return false
  }
}
