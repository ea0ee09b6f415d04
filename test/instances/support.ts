import {readdirSync, readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {openDataDirStore} from '../helpers/stores.js'
import type {TestUser} from '../helpers/auth.js'

/**
 * Shared by the instance lifecycle suites (idle, faults, shredding, sweeper): raw API calls, a
 * bounded wait, the host processes that belong to an instance, and a dump of a stopped server's
 * embedded database.
 */

export interface ApiResult {
  status: number
  body: any
}

/**
 * A call to the API as `user` (or with a bare token, or none), the way any HTTP client would make
 * it: a JSON body, or a tar when the body is bytes. The answer's body is parsed when it is JSON.
 */
export async function apiCall(
  url: string,
  user: TestUser | string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  const token = typeof user === 'string' ? user : user?.accessToken
  const isBytes = body instanceof Uint8Array
  const res = await fetch(url + path, {
    method,
    headers: {
      ...(token ? {authorization: `Bearer ${token}`} : {}),
      ...(body === undefined ? {} : {'content-type': isBytes ? 'application/x-tar' : 'application/json'}),
      ...headers,
    },
    body: body === undefined ? undefined : isBytes ? body : JSON.stringify(body),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {}
  return {status: res.status, body: parsed}
}

/** Polls `probe` until it returns something other than undefined; fails with `what` after the bound. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

export interface HostProcess {
  pid: number
  argv: string[]
  /** The agent itself (node), as opposed to its bwrap or prlimit wrapper. */
  isAgent: boolean
}

/**
 * Every host process whose command line names the instance: the agent (node …/agent/main.js ID)
 * and, under bwrap, the bwrap monitor whose argv carries the same command after `--`.
 */
export function instanceProcesses(instanceId: string): HostProcess[] {
  const found: HostProcess[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let argv: string[]
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean)
    } catch {
      continue // exited while we looked
    }
    if (!argv.includes(instanceId) || !argv.some((a) => a.endsWith(join('agent', 'main.js')))) continue
    const exe = basename(argv[0] ?? '')
    found.push({pid: Number(entry), argv, isAgent: exe !== 'bwrap' && exe !== 'prlimit'})
  }
  return found
}

/** The agent's host pid, or undefined when it does not run. */
export function agentPid(instanceId: string): number | undefined {
  return instanceProcesses(instanceId).find((p) => p.isAgent)?.pid
}

/** Every table of a (stopped) server's embedded database, as rows. */
export async function dumpDatabase(dataDir: string): Promise<Record<string, Record<string, unknown>[]>> {
  const db = await openDataDirStore(dataDir)
  try {
    const tables = await db.query<{table_name: string}>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    )
    const dump: Record<string, Record<string, unknown>[]> = {}
    for (const {table_name} of tables) dump[table_name] = await db.query(`SELECT * FROM "${table_name}"`)
    return dump
  } finally {
    await db.close()
  }
}

/** Lifecycle events of the account log in a dump, oldest first. */
export function lifecycleEvents(dump: Record<string, Record<string, unknown>[]>, instanceId?: string) {
  return (dump.access_log ?? [])
    .filter((r) => r.kind === 'lifecycle' && (instanceId === undefined || r.instance_id === instanceId))
    .sort((a, b) => Number(a.id) - Number(b.id))
    .map((r) => ({event: r.event as string, instance_id: r.instance_id as string | null, detail: r.detail as Record<string, unknown> | null, at: r.at as Date}))
}
