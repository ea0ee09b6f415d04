import {request as httpRequest} from 'node:http'
import {connect} from 'node:net'
import {expect} from 'vitest'
import {PROBLEM_CONTENT_TYPE, problemSchema} from '../../src/contract/problem.js'

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  body: any
}

export interface CallOptions {
  token?: string
  /** A JSON value (sent as application/json), or raw bytes / text sent with `contentType`. */
  body?: unknown
  raw?: string | Uint8Array
  contentType?: string
  headers?: Record<string, string>
  timeoutMs?: number
}

/**
 * One request with node:http, so the path goes out exactly as written (fetch would normalise
 * `/a/../b` and refuse some bytes), and the answer is read whole.
 */
export function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const url = new URL(base)
  const payload = opts.raw !== undefined ? opts.raw : opts.body !== undefined ? JSON.stringify(opts.body) : undefined
  const headers: Record<string, string | number> = {...opts.headers}
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`
  if (payload !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json'
    headers['content-length'] = Buffer.byteLength(payload)
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({host: url.hostname, port: url.port, method, path, headers, timeout: opts.timeoutMs ?? 30_000}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown
        try {
          body = text ? JSON.parse(text) : undefined
        } catch {
          body = undefined
        }
        resolve({status: res.statusCode!, headers: res.headers, text, body})
      })
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', reject)
    req.end(payload)
  })
}

/**
 * Writes bytes to the server's port as they are and returns everything it answers, for requests
 * no HTTP client would send (raw CR/LF, bytes past ASCII in the request line).
 */
export function rawExchange(base: string, bytes: Buffer | string, timeoutMs = 10_000): Promise<string> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect({host: url.hostname, port: Number(url.port)})
    const chunks: Buffer[] = []
    const timer = setTimeout(() => socket.destroy(), timeoutMs)
    // Not end(): a client that half-closes may lose its answer. `Connection: close` ends it.
    socket.on('connect', () => socket.write(bytes))
    socket.on('data', (d) => chunks.push(d))
    socket.on('error', (error) => {
      clearTimeout(timer)
      if (chunks.length) resolve(Buffer.concat(chunks).toString('latin1'))
      else reject(error)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks).toString('latin1'))
    })
  })
}

/** The answer is an RFC 9457 problem document with our stable code, and its status matches. */
export function expectProblem(res: Answer, status?: number | ((s: number) => boolean), what = ''): void {
  const label = `${what} → ${res.status} ${res.text.slice(0, 300)}`
  if (typeof status === 'number') expect(res.status, label).toBe(status)
  else if (status) expect(status(res.status), label).toBe(true)
  expect(String(res.headers['content-type']), label).toMatch(new RegExp('^' + PROBLEM_CONTENT_TYPE.replace(/[+]/g, '\\+')))
  const parsed = problemSchema.safeParse(res.body)
  expect(parsed.success, label).toBe(true)
  expect(parsed.data!.status, label).toBe(res.status)
}

/** Every line the server logged is one JSON object: nothing a request sent split a line. */
export function expectWholeLogLines(logs: string): void {
  const lines = logs.split('\n').filter((l) => l !== '')
  expect(lines.length).toBeGreaterThan(0)
  for (const line of lines) {
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      parsed = undefined
    }
    expect(typeof parsed === 'object' && parsed !== null, `log line is not one JSON object: ${line.slice(0, 200)}`).toBe(true)
  }
}
