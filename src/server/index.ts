/**
 * The server's one door: commands/ and src/cli import src/server through this module only (an
 * architecture test keeps it so), which makes what the CLI relies on a short, visible list.
 *
 * It stays light, because every CLI command loads it (for DEFAULT_PORT) and most never run the
 * server: what it re-exports loads neither Fastify nor pg, and the heavy parts (the server, the
 * admin routes, the jobs, a drain) are functions that import their module when called.
 */
import type {ServerConfig} from './config.js'
import type {ServerContext} from './context.js'
import type {RunningServer, StartOptions} from './main.js'

export {DEFAULT_PORT, defaultConfig, parseRequestRate, type ServerConfig} from './config.js'
export type {ServerContext} from './context.js'
export {adminSocketPath, defaultDataDir} from './data-dir.js'
export {DataDirBusyError} from './lock.js'
export type {RunningServer, StartOptions} from './main.js'
export {EmbeddedPostgresMissingError} from './store/embedded/binaries.js'
export {EmbeddedPostgresError} from './store/embedded/errors.js'

/** Starts the API on `config` (see main.ts). */
export async function startServer(config: ServerConfig, opts?: StartOptions): Promise<RunningServer> {
  const main = await import('./main.js')
  return main.startServer(config, opts)
}

/** Opens the data dir (locked), the store and the shared context, without listening (see main.ts). */
export async function openServerContext(config: ServerConfig, opts?: StartOptions) {
  const main = await import('./main.js')
  return main.openServerContext(config, opts)
}

/** The admin routes on `ctx`, as a Fastify app (served on the admin socket, or injected in process). */
export async function buildAdminApp(ctx: ServerContext) {
  const admin = await import('./admin/app.js')
  return admin.buildAdminApp(ctx)
}

/**
 * The background jobs `server start` runs beside the API (the instance sweeper and the replica
 * heartbeat start with every server, in startServer and joinReplicas). Tests pass the ones they
 * need to startServer directly.
 */
export async function serverBackgroundJobs(): Promise<NonNullable<StartOptions['onStarted']>> {
  const [{authSweepJob}, {accessLogSweepJob}, {startJob}] = await Promise.all([import('./auth/sweeper.js'), import('./observability/log-sweeper.js'), import('./job-runner.js')])
  const start = (server: RunningServer) => {
    for (const job of [authSweepJob(server.ctx), accessLogSweepJob(server.ctx)]) startJob(server.ctx, job)
  }
  return [start]
}

/**
 * Reads `--tls-cert`/`--tls-key` and checks them as a pair (see tls.ts), so `server start` fails
 * with a usage error before it starts anything. Loaded when called: node:tls is not small, and
 * every CLI command loads this module.
 */
export async function loadTlsFiles(files: {certFile: string; keyFile: string}) {
  const tls = await import('./tls.js')
  return tls.loadTlsFiles(files)
}

/** Moves every instance off this replica (`--drain-on-exit`). */
export async function drainReplica(ctx: ServerContext) {
  const drain = await import('./replicas/drain.js')
  return drain.drainReplica(ctx)
}
