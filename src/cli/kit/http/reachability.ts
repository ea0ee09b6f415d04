const PROBE_PATH = '/healthz'

/**
 * Whether anything answers HTTP at the API's address (any status: a 503 is still an API that is
 * there). Used only to explain a missing login, so it is quick and never retried.
 */
export async function apiAnswers(api: string, timeoutMs = 3000): Promise<boolean> {
  try {
    // Loaded here: it only runs when a command has no login to explain.
    const {request} = await import('undici')
    const res = await request(new URL(PROBE_PATH, api.endsWith('/') ? api : `${api}/`), {
      method: 'GET',
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    await res.body.dump()
    return true
  } catch {
    return false
  }
}
