/**
 * A minimal browser for HTTP-level page tests: keeps cookies, does not follow redirects, and
 * reads the CSRF token out of the last form it saw. The real-browser test uses Chromium.
 */
export interface PageResponse {
  status: number
  headers: Headers
  text: string
  location: string | null
}

export class PageClient {
  readonly cookies = new Map<string, string>()
  constructor(readonly base: string) {}

  private cookieHeader(): Record<string, string> {
    return this.cookies.size > 0 ? {cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')} : {}
  }

  private async send(path: string, init: RequestInit): Promise<PageResponse> {
    const res = await fetch(this.base + path, {
      ...init,
      redirect: 'manual',
      headers: {...this.cookieHeader(), ...(init.headers as Record<string, string>)},
      signal: AbortSignal.timeout(10_000),
    })
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq)
      const value = pair!.slice(eq + 1)
      if (/Max-Age=0/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return {status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location')}
  }

  get(path: string): Promise<PageResponse> {
    return this.send(path, {method: 'GET'})
  }

  post(path: string, form: Record<string, string>): Promise<PageResponse> {
    return this.send(path, {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: new URLSearchParams(form).toString()})
  }
}

export function csrfIn(page: PageResponse): string {
  const m = /name="csrf" value="([^"]+)"/.exec(page.text)
  if (!m) throw new Error(`no CSRF field on the page (status ${page.status}):\n${page.text.slice(0, 500)}`)
  return m[1]!
}

export function grantIdIn(page: PageResponse): string {
  const m = /name="grant_id" value="([^"]+)"/.exec(page.text)
  if (!m) throw new Error(`no grant on the page (status ${page.status}):\n${page.text.slice(0, 800)}`)
  return m[1]!
}

/** Signs up through the pages and returns a client holding the session. */
export async function signedUpClient(base: string, email: string, password: string): Promise<PageClient> {
  const client = new PageClient(base)
  const form = await client.get('/signup')
  const res = await client.post('/signup', {csrf: csrfIn(form), email, password, next: '/device'})
  if (res.status !== 303) throw new Error(`sign-up failed (${res.status}):\n${res.text.slice(0, 800)}`)
  return client
}

/** Opens a user code on the device page and decides it, as a person would. */
export async function decideOnPage(client: PageClient, userCode: string, decision: 'approve' | 'deny'): Promise<PageResponse> {
  const confirm = await client.get(`/device?user_code=${encodeURIComponent(userCode)}`)
  if (confirm.status !== 200) throw new Error(`device page answered ${confirm.status}:\n${confirm.text.slice(0, 800)}`)
  return client.post('/device/decision', {csrf: csrfIn(confirm), user_code: userCode, grant_id: grantIdIn(confirm), decision})
}
