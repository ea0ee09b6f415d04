import {request} from 'node:http'
import {INSTANCE_SECRET_HEADER} from '../contract/agent-header.js'

/**
 * A small JSON call to an agent over its unix socket with node:http: the driver's health check,
 * the benchmark and tests. (The gateway uses pooled undici dispatchers instead.)
 */
export function agentRequest(
  target: {socketPath: string; secret?: string},
  method: string,
  path: string,
  opts: {body?: unknown; timeoutMs?: number; headers?: Record<string, string>} = {},
): Promise<{status: number; headers: Record<string, string | string[] | undefined>; body: unknown}> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body)
    const req = request({
      socketPath: target.socketPath,
      method,
      path,
      agent: false,
      headers: {
        ...(target.secret === undefined ? {} : {[INSTANCE_SECRET_HEADER]: target.secret}),
        ...(payload === undefined ? {} : {'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload))}),
        ...opts.headers,
      },
      timeout: opts.timeoutMs ?? 5000,
    })
    req.once('timeout', () => req.destroy(new Error(`no answer from the agent within ${opts.timeoutMs ?? 5000} ms`)))
    req.once('error', reject)
    req.once('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.once('error', reject)
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown = text
        try {
          body = text ? JSON.parse(text) : undefined
        } catch {}
        resolve({status: res.statusCode ?? 0, headers: res.headers, body})
      })
    })
    req.end(payload)
  })
}
