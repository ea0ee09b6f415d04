import {execFileSync} from 'node:child_process'
import {request} from 'node:https'
import {join} from 'node:path'

/** Whether openssl is on PATH: the TLS tests need it for their certificates. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl (node:crypto cannot). */
export function selfSigned(dir: string, name: string): {cert: string; key: string} {
  const cert = join(dir, `${name}.pem`)
  const key = join(dir, `${name}.key`)
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert],
    {stdio: 'ignore'},
  )
  return {cert, key}
}

/** A GET over https that trusts only `ca`; answers status and headers. */
export function httpsGet(url: string, ca: Buffer): Promise<{status: number; headers: Record<string, string | string[] | undefined>}> {
  return new Promise((resolve, reject) => {
    const req = request(url, {ca, timeout: 10_000}, (res) => {
      res.resume()
      res.on('end', () => resolve({status: res.statusCode!, headers: res.headers}))
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end()
  })
}
