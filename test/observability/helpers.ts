import {newId} from '../../src/ids.js'
import type {RunningServer} from '../../src/server/main.js'

/** A JSON request with a bearer token, answering status, headers and parsed body. */
export async function api(server: {url: string}, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      ...(token ? {authorization: `Bearer ${token}`} : {}),
      ...(body === undefined ? {} : {'content-type': 'application/json'}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  let json: any
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {}
  return {status: res.status, headers: res.headers, body: json, text}
}

/**
 * An instance row owned by `userId`, straight in the store: routes that only read the row (show,
 * keys' checks, the log's instance filter) work on it without starting an agent process.
 */
export async function instanceRow(server: RunningServer, userId: string, name: string): Promise<string> {
  const id = newId('ins')
  await server.ctx.db.asSystem((q) =>
    q.query(`INSERT INTO instances (id, user_id, name, state, model) VALUES ($1, $2, $3, 'paused', 'dev/echo')`, [id, userId, name]),
  )
  return id
}

/** Every access-log row, as the text a database dump would show. */
export async function accessLogDump(server: RunningServer): Promise<string> {
  const rows = await server.ctx.db.asSystem((q) => q.query(`SELECT * FROM access_log ORDER BY id`))
  return JSON.stringify(rows)
}
