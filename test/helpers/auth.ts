import {randomBytes} from 'node:crypto'
import {request} from 'node:http'

/** A JSON request to the admin socket (operator routes), the way `clawd server ...` reaches it. */
export function adminRequest<T = any>(adminSocket: string, method: string, path: string, body?: unknown): Promise<{status: number; body: T}> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      {socketPath: adminSocket, method, path, headers: payload ? {'content-type': 'application/json', 'content-length': Buffer.byteLength(payload)} : {}, timeout: 10_000},
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (text += d))
        res.on('end', () => {
          try {
            resolve({status: res.statusCode!, body: (text ? JSON.parse(text) : undefined) as T})
          } catch (error) {
            reject(error)
          }
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`admin ${method} ${path} timed out`)))
    req.on('error', reject)
    req.end(payload)
  })
}

/** A form-encoded POST to an OAuth endpoint; returns status and parsed JSON (or undefined). */
export async function oauthPost(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<{status: number; body: any}> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded', ...headers},
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await res.text()
  return {status: res.status, body: text ? JSON.parse(text) : undefined}
}

export interface TestUser {
  email: string
  password: string
  userId: string
  accessToken: string
  refreshToken: string
}

/** Starts a device login over HTTP, as a CLI would. */
export async function startDeviceLogin(serverUrl: string, clientId = 'clawd-test'): Promise<{device_code: string; user_code: string; interval: number; expires_in: number; verification_uri_complete: string}> {
  const res = await oauthPost(`${serverUrl}/oauth/device_authorization`, {client_id: clientId})
  if (res.status !== 200) throw new Error(`device_authorization answered ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body
}

/**
 * A new account with a fresh login: created through the admin socket, then the full device flow
 * over HTTP (authorize, approve through the admin socket, exchange the code), so the tokens are
 * exactly what a real login gets.
 */
export async function newUser(server: {url: string; adminSocket: string}, email?: string): Promise<TestUser> {
  const address = email ?? `user-${randomBytes(5).toString('hex')}@example.com`
  const password = `pw-${randomBytes(12).toString('base64url')}`
  const created = await adminRequest(server.adminSocket, 'POST', '/admin/users', {email: address, password})
  if (created.status !== 201) throw new Error(`creating ${address} failed: ${created.status} ${JSON.stringify(created.body)}`)
  const clientId = 'clawd-test'
  const grant = await startDeviceLogin(server.url, clientId)
  const approved = await adminRequest(server.adminSocket, 'POST', '/admin/device/approve', {user_code: grant.user_code, email: address})
  if (approved.status !== 200) throw new Error(`approving ${grant.user_code} failed: ${approved.status} ${JSON.stringify(approved.body)}`)
  const tokens = await oauthPost(`${server.url}/oauth/token`, {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: grant.device_code,
    client_id: clientId,
  })
  if (tokens.status !== 200) throw new Error(`exchanging the device code failed: ${tokens.status} ${JSON.stringify(tokens.body)}`)
  return {email: address, password, userId: created.body.id, accessToken: tokens.body.access_token, refreshToken: tokens.body.refresh_token}
}
