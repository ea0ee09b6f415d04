import type {FastifyInstance} from 'fastify'
import {instanceIdSchema} from '../../contract/instances.js'
import {api} from '../../contract/routes/index.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {findInstance} from '../instances/repo.js'
import {readAccessLog} from '../observability/access-log-read.js'
import {serveRoutes} from '../serve.js'
import {settleWithin} from '../settle-within.js'

/** How long a read waits for this process's queued entries to be written. */
const FLUSH_WAIT_MS = 1000

/** GET /v1/logs: the account's own access log (requests and lifecycle events), under RLS. */
export async function logsRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  serveRoutes(app, ctx)(api.logs.list, async (req) => {
    const query = req.query
    const userId = req.auth!.userId
    // Requests this process just answered are still queued: write them so the reader sees them.
    await settleWithin(app.accessLog?.flush().catch(() => {}) ?? Promise.resolve(), FLUSH_WAIT_MS, undefined)
    const entries = await ctx.db.asUser(userId, async (q) => {
      let instanceId: string | undefined
      if (query.instance) {
        const row = await findInstance(q, query.instance)
        // A deleted instance's entries stay in the log under its id.
        if (row) instanceId = row.id
        else if (instanceIdSchema.safeParse(query.instance).success) instanceId = query.instance
        else throw ApiError.notFound('instance', 'See your instances with `clawd instance list`.')
      }
      return readAccessLog(q, {since: query.since ? new Date(query.since) : undefined, instanceId, afterId: query.after_id, limit: query.limit})
    })
    return {entries, next_after_id: entries.at(-1)?.id ?? query.after_id ?? null}
  })
}
