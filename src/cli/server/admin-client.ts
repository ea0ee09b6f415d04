import {existsSync} from 'node:fs'
import type {IncomingHttpHeaders} from 'node:http'
import {Writable} from 'node:stream'
import {Agent} from 'undici'
import type {z} from 'zod'
import {
  adminApproveResponseSchema,
  type adminApproveRequestSchema,
  type adminCreateInviteRequestSchema,
  adminCreateInviteResponseSchema,
  type adminCreateUserRequestSchema,
  type adminSetPlanRequestSchema,
  adminSetPlanResponseSchema,
  adminUserSchema,
  listInvitesResponseSchema,
} from '../../contract/auth.js'
import {
  type createIncidentRequestSchema,
  incidentSchema,
  type resolveIncidentRequestSchema,
  type updateIncidentRequestSchema,
} from '../../contract/status.js'
import {drainResponseSchema} from '../../contract/replicas.js'
import {buildAdminApp, DataDirBusyError, defaultConfig, openServerContext} from '../../server/index.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import {errorFromResponse, unexpectedShape} from '../kit/http/errors.js'
import {type HttpResponse, HttpTransport} from '../kit/http/transport.js'

/** How an operator command reaches the admin routes: a running server's socket, or the store itself. */
interface AdminTransport {
  readonly mode: 'socket' | 'in-process'
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpResponse>
  close(): Promise<void>
}

const LABEL = 'the clawd server (admin socket)'

async function socketTransport(socketPath: string): Promise<AdminTransport | undefined> {
  const dispatcher = new Agent({connect: {socketPath}})
  const unreachable = (_url: string, cause: unknown) =>
    new CliError({code: 'admin_unreachable', message: `${LABEL} stopped answering.`, hint: 'Check that the server still runs, then try again.', exitCode: ExitCode.unavailable, cause})
  const http = new HttpTransport({userAgent: 'clawd-admin', dispatcher, unreachable})
  const call = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpResponse> =>
    http.send({
      method,
      url: `http://localhost${path}`,
      headers: body === undefined ? {} : {'content-type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
      retry: false,
      // A drain copies every instance before it answers.
      headersTimeoutMs: path === '/admin/drain' ? 0 : undefined,
    })
  try {
    const health = await call('GET', '/admin/healthz')
    if (health.status === 200) return {mode: 'socket', call, close: () => dispatcher.close()}
  } catch (error) {
    if ((error as CliError).code !== 'admin_unreachable') throw error
  }
  // A socket file left by a server that died: nobody is listening.
  await dispatcher.close()
  return undefined
}

async function inProcessTransport(dataDir: string, databaseUrl: string | undefined, env: NodeJS.ProcessEnv): Promise<AdminTransport> {
  // Loading the server (Fastify, pg: the door imports them only when called) and starting the
  // embedded cluster is only worth it when no server runs.
  const config = defaultConfig(dataDir)
  config.databaseUrl = databaseUrl
  config.logLevel = 'silent'
  // Operator routes never run an instance: skip probing the sandbox.
  config.instances.sandbox = 'none'
  let opened
  try {
    opened = await openServerContext(config, {env, logStream: new Writable({write: (_c, _e, cb) => cb()})})
  } catch (error) {
    if (error instanceof DataDirBusyError) {
      throw new CliError({
        code: 'admin_unreachable',
        message: `A clawd server (pid ${error.pid}) is using ${dataDir}, but its admin socket does not answer.`,
        hint: 'Check that server (restart it if it is stuck), then try again.',
        exitCode: ExitCode.unavailable,
      })
    }
    throw error
  }
  const {ctx, release} = opened
  const app = await buildAdminApp(ctx)
  return {
    mode: 'in-process',
    async call(method, path, body) {
      const res = await app.inject({method, url: path, payload: body as object | undefined})
      return {status: res.statusCode, headers: res.headers as IncomingHttpHeaders, text: res.body}
    },
    async close() {
      await app.close().catch(() => {})
      for (const hook of ctx.onClose.reverse()) await hook().catch(() => {})
      await ctx.instances?.shutdown().catch(() => {})
      await ctx.db.close().catch(() => {})
      release()
    },
  }
}

/**
 * The operator's way into a self-hosted server (DESIGN §2): through `<data-dir>/admin.sock` when
 * the server runs (it holds the data dir and its embedded cluster), else by opening the data dir
 * in this process and running the very same admin routes in memory.
 */
export class AdminClient {
  private constructor(private readonly transport: AdminTransport) {}

  static async connect(opts: {dataDir: string; socketPath: string; databaseUrl?: string; env: NodeJS.ProcessEnv}): Promise<AdminClient> {
    if (!existsSync(opts.dataDir)) {
      throw new CliError({
        code: 'no_data_dir',
        message: `There is no clawd server data in ${opts.dataDir}.`,
        hint: 'Pass the --data-dir your server uses (or set CLAWD_DATA_DIR); `clawd server start` creates it.',
        exitCode: ExitCode.notFound,
      })
    }
    const viaSocket = existsSync(opts.socketPath) ? await socketTransport(opts.socketPath) : undefined
    return new AdminClient(viaSocket ?? (await inProcessTransport(opts.dataDir, opts.databaseUrl, opts.env)))
  }

  get mode(): 'socket' | 'in-process' {
    return this.transport.mode
  }

  createUser(body: z.infer<typeof adminCreateUserRequestSchema>) {
    return this.post('/admin/users', body, adminUserSchema)
  }

  setUserPlan(body: z.infer<typeof adminSetPlanRequestSchema>) {
    return this.post('/admin/users/plan', body, adminSetPlanResponseSchema)
  }

  createInvite(body: z.infer<typeof adminCreateInviteRequestSchema>) {
    return this.post('/admin/invites', body, adminCreateInviteResponseSchema)
  }

  listInvites() {
    return this.call('GET', '/admin/invites', undefined, listInvitesResponseSchema)
  }

  approve(body: z.infer<typeof adminApproveRequestSchema>) {
    return this.post('/admin/device/approve', body, adminApproveResponseSchema)
  }

  createIncident(body: z.infer<typeof createIncidentRequestSchema>) {
    return this.post('/admin/incidents', body, incidentSchema)
  }

  updateIncident(id: string, body: z.infer<typeof updateIncidentRequestSchema>) {
    return this.post(`/admin/incidents/${encodeURIComponent(id)}/updates`, body, incidentSchema)
  }

  resolveIncident(id: string, body: z.infer<typeof resolveIncidentRequestSchema>) {
    return this.post(`/admin/incidents/${encodeURIComponent(id)}/resolve`, body, incidentSchema)
  }

  drain() {
    return this.post('/admin/drain', {}, drainResponseSchema)
  }

  close(): Promise<void> {
    return this.transport.close()
  }

  private post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    return this.call('POST', path, body, schema)
  }

  private async call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    const res = await this.transport.call(method, path, body)
    if (res.status >= 400) throw errorFromResponse(res, LABEL)
    let json: unknown
    try {
      json = JSON.parse(res.text)
    } catch {}
    const parsed = schema.safeParse(json)
    if (!parsed.success) throw unexpectedShape(LABEL, `${method} ${path}`)
    return parsed.data
  }
}
