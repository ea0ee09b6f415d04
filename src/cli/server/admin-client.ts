import {existsSync} from 'node:fs'
import type {IncomingHttpHeaders} from 'node:http'
import {Writable} from 'node:stream'
import {Agent} from 'undici'
import type {z} from 'zod'
import {adminApi} from '../../contract/routes/admin.js'
import {buildAdminApp, DataDirBusyError, defaultConfig, openServerContext} from '../../server/index.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import {type RouteMethods, routeMethods, successSpec} from '../kit/http/api.js'
import {errorFromResponse, parseAnswer} from '../kit/http/errors.js'
import {type HttpResponse, HttpTransport} from '../kit/http/transport.js'

/** How an operator command reaches the admin routes: a running server's socket, or the store itself. */
interface AdminTransport {
  /** `patient`: no limit on the wait for the answer's headers. */
  call(method: string, path: string, body?: unknown, patient?: boolean): Promise<HttpResponse>
  close(): Promise<void>
}

const LABEL = 'the clawd server (admin socket)'

async function socketTransport(socketPath: string): Promise<AdminTransport | undefined> {
  const dispatcher = new Agent({connect: {socketPath}})
  const unreachable = (_url: string, cause: unknown) =>
    new CliError({code: 'admin_unreachable', message: `${LABEL} stopped answering.`, hint: 'Check that the server still runs, then try again.', exitCode: ExitCode.unavailable, cause})
  const http = new HttpTransport({userAgent: 'clawd-admin', dispatcher, unreachable})
  const call = (method: string, path: string, body?: unknown, patient?: boolean): Promise<HttpResponse> =>
    http.send({
      method,
      url: `http://localhost${path}`,
      headers: body === undefined ? {} : {'content-type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
      retry: false,
      headersTimeoutMs: patient ? 0 : undefined,
    })
  try {
    const health = await call(adminApi.health.method, adminApi.health.path)
    if (health.status === 200) return {call, close: () => dispatcher.close()}
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
    async call(method, path, body) {
      const res = await app.inject({method: method as 'GET' | 'POST', url: path, payload: body as object | undefined})
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

/** The operator routes (src/contract/routes/admin.ts), one method each: `admin.createUser({body})`. */
export type AdminApi = RouteMethods<typeof adminApi>

/**
 * The operator's way into a self-hosted server (DESIGN §2): through `<data-dir>/admin.sock` when
 * the server runs (it holds the data dir and its embedded cluster), else by opening the data dir
 * in this process and running the very same admin routes in memory.
 */
export async function connectAdmin(opts: {dataDir: string; socketPath: string; databaseUrl?: string; env: NodeJS.ProcessEnv}): Promise<{api: AdminApi; close(): Promise<void>}> {
  if (!existsSync(opts.dataDir)) {
    throw new CliError({
      code: 'no_data_dir',
      message: `There is no clawd server data in ${opts.dataDir}.`,
      hint: 'Pass the --data-dir your server uses (or set CLAWD_DATA_DIR); `clawd server start` creates it.',
      exitCode: ExitCode.notFound,
    })
  }
  const viaSocket = existsSync(opts.socketPath) ? await socketTransport(opts.socketPath) : undefined
  const transport = viaSocket ?? (await inProcessTransport(opts.dataDir, opts.databaseUrl, opts.env))
  const api = routeMethods(async () => adminApi, async (route, path, {body}) => {
    // A drain copies every instance before it answers.
    const res = await transport.call(route.method, path, body, route === adminApi.drain)
    if (res.status >= 400) throw errorFromResponse(res, LABEL)
    return parseAnswer(res.text, successSpec(route) as z.ZodType, LABEL, `${route.method} ${path}`)
  })
  return {api, close: () => transport.close()}
}
