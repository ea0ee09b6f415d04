import {ACCOUNT_EXPORT_VERSION, type AccountExport, type ExportedInstance} from '../../contract/account.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {listInstances, type InstanceRow} from '../instances/repo.js'
import {instanceView} from '../instances/view.js'
import {type Plan, planOf} from '../quotas/plans.js'
import {listKeys} from '../keys/repo.js'
import {listChannels} from '../channels/repo.js'
import type {Queryable} from '../store/db.js'
import {readSessions, readWorkspace} from './agent-data.js'
import {readWholeAccessLog} from '../observability/access-log-read.js'
import {iso} from '../iso.js'

/**
 * Everything the service holds on one user (`clawd export --all`), except secrets: no token or
 * token hash, no key ciphertext, no wrapped data key, no password hash.
 *
 * Why the server assembles it, not the CLI from the public routes: the database holds more than
 * the routes show (login sessions and refresh tokens, browser sign-ins, device logins, the whole
 * access log), and one place next to the schema is where a new table gets added to the export.
 * The database part is read in one transaction as the user, under RLS, so it is consistent and
 * cannot include another user's rows. The CLI lays the document out as files in a tar.
 */

/**
 * The tables with the user's rows, each read below. A test lists every table with a user_id column
 * and fails when one is missing here, so a new table cannot be left out of the export by mistake.
 */
export const EXPORTED_TABLES = ['users', 'tokens', 'web_sessions', 'device_grants', 'access_log', 'daily_usage', 'instances', 'instance_keys', 'instance_channels'] as const

/**
 * Tables with user rows that are not exported because nothing in them outlives a request:
 * stream_slots holds a row only while one of the user's answers is streaming (the concurrent-
 * stream limit across replicas).
 */
export const TRANSIENT_TABLES = ['stream_slots'] as const

/** Rows of the columns the export's schema names, their timestamps as ISO strings. */
const isoDates = <T>(rows: object[]) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])) as T)

export async function collectAccountExport(ctx: ServerContext, userId: string): Promise<AccountExport> {
  const {db, plan} = await ctx.db.asUser(userId, async (q) => ({db: await readDatabase(q, userId), plan: await planOf(q, ctx.config, userId)}))
  const instances: ExportedInstance[] = []
  for (const row of db.instances) instances.push(await exportInstance(ctx, userId, row, db.keys.get(row.id) ?? [], db.channels.get(row.id) ?? [], plan))
  return {
    version: ACCOUNT_EXPORT_VERSION,
    account: db.account,
    tokens: db.tokens,
    web_sessions: db.webSessions,
    device_logins: db.deviceLogins,
    access_log: db.accessLog,
    daily_usage: db.usage,
    instances,
  }
}

async function readDatabase(q: Queryable, userId: string) {
  const [user] = await q.query<{id: string; email: string; plan: string; created_at: Date}>(`SELECT id, email, plan, created_at FROM users WHERE id = $1`, [userId])
  if (!user) throw ApiError.unauthenticated('The account for this token no longer exists.')
  const tokens = await q.query(`SELECT id, kind, name, client_id, family_id, created_at, expires_at, revoked_at, used_at, last_used_at FROM tokens ORDER BY created_at, id`)
  const webSessions = await q.query(`SELECT created_at, expires_at, user_agent, client_ip FROM web_sessions ORDER BY created_at, id_hash`)
  const deviceLogins = await q.query(`SELECT client_id, status, requested_at, decided_at, client_ip, user_agent FROM device_grants ORDER BY requested_at, id`)
  const log = await readWholeAccessLog(q)
  const usage = await q.query<{day: string; messages: number}>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, messages FROM daily_usage ORDER BY day`)
  const instances = (await listInstances(q)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const keys = new Map<string, Awaited<ReturnType<typeof listKeys>>>()
  for (const row of instances) keys.set(row.id, await listKeys(q, row.id))
  const channels = new Map<string, Awaited<ReturnType<typeof listChannels>>>()
  for (const row of instances) channels.set(row.id, await listChannels(q, row.id))
  return {
    account: {id: user.id, email: user.email, plan: user.plan, created_at: iso(user.created_at)},
    tokens: isoDates<AccountExport['tokens'][number]>(tokens),
    webSessions: isoDates<AccountExport['web_sessions'][number]>(webSessions),
    deviceLogins: isoDates<AccountExport['device_logins'][number]>(deviceLogins),
    accessLog: log,
    usage: usage.map((u) => ({day: u.day, messages: Number(u.messages)})),
    instances,
    keys,
    channels,
  }
}

/**
 * The instance's own data, through its agent. A paused instance is resumed to be read and paused
 * again afterwards, so an export neither leaves instances running nor needs more running slots
 * than one. An instance that will not start is exported by its metadata, with the reason.
 */
async function exportInstance(
  ctx: ServerContext,
  userId: string,
  row: InstanceRow,
  keys: ExportedInstance['keys'],
  channels: ExportedInstance['channels'],
  plan: Plan,
): Promise<ExportedInstance> {
  const manager = ctx.instances
  // The row as it was when the database was read: resuming it to read its data changes nothing here.
  const base = {instance: instanceView(row, ctx.config, plan), keys, channels}
  if (row.state === 'deleting') return {...base, workspace: null, sessions: null, unavailable: 'The instance is being deleted.'}
  const wasRunning = row.state === 'running' || row.state === 'creating' || row.state === 'resuming'
  try {
    await manager.ensureRunning(userId, row.id)
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    return {...base, workspace: null, sessions: null, unavailable: `The instance could not be started to read its data: ${error.extra.detail ?? error.title}`}
  }
  try {
    return {...base, workspace: await readWorkspace(manager, row.id), sessions: await readSessions(manager, row.id), unavailable: null}
  } finally {
    if (!wasRunning) await manager.pause(userId, row.id).catch(() => {})
  }
}
