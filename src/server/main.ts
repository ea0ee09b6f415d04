/**
 * The server's composition root: it opens the data dir, the store and the driver, builds the core
 * and the instance parts on them with what each uses (buildContext), then starts the listeners
 * and the jobs (startServer). Nothing in the server reaches for a singleton.
 */
import {chmodSync, existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {FastifyInstance} from 'fastify'
import pino from 'pino'
import {deriveSubkey} from '../crypto/kdf.js'
import {buildAdminApp} from './admin/app.js'
import {buildApp} from './app.js'
import type {ServerConfig} from './config.js'
import type {ServerContext} from './context.js'
import {type Clock, type ServerCore, systemClock} from './core.js'
import {InstanceLifecycle} from './instances/lifecycle.js'
import {InstanceSupervision} from './instances/supervision.js'
import {InstanceSweeps} from './instances/sweeps.js'
import {startJob} from './job-runner.js'
import {isForbiddenAddress} from './outbound.js'
import {adminSocketPath, serverInfoFile} from './data-dir.js'
import {lockDataDir} from './lock.js'
import {createLocalDriver} from '../runtime/local-driver.js'
import {loggerOptions} from './logger.js'
import {loadMasterKey} from './master-key.js'
import {joinReplicas} from './replicas/index.js'
import type {Db} from './store/db.js'
import {migrate} from './store/migrate.js'
import {openEmbeddedStore} from './store/embedded/index.js'
import {hasLegacyPglite, migrateLegacyPglite} from './store/legacy-pglite.js'
import {openPostgres} from './store/postgres.js'

export interface RunningServer {
  url: string
  adminSocket: string
  ctx: ServerContext
  app: FastifyInstance
  /** Stops accepting, drains in-flight requests (up to the drain timeout), then releases everything. */
  close(): Promise<void>
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv
  clock?: Clock
  logStream?: NodeJS.WritableStream
  /** Background jobs (sweepers) and hooks that need the running server, added by later modules. */
  onStarted?: Array<(server: RunningServer) => Promise<void> | void>
}

// The test helpers read server.json through here.
export {serverInfoFile}

/** The external PostgreSQL when a URL is given, else the data dir's own embedded cluster. */
export async function openStore(config: ServerConfig): Promise<Db> {
  return config.databaseUrl ? openPostgres(config.databaseUrl, {schema: config.databaseSchema}) : openEmbeddedStore(config.dataDir)
}

/** What `server start` says about its store, so an operator knows where the data is. */
export function describeStore(config: ServerConfig): string {
  if (!config.databaseUrl) return `store: embedded PostgreSQL in ${join(config.dataDir, 'pg')} (unix socket only)`
  const url = new URL(config.databaseUrl)
  return `store: PostgreSQL at ${url.host || 'a local socket'}${url.pathname}, schema ${config.databaseSchema ?? 'clawd'}`
}

/**
 * Opens the data dir (locked), the store (migrated) and the context every part shares. Used by
 * `server start` and by operator commands when no server is running.
 */
export async function openServerContext(config: ServerConfig, opts: StartOptions = {}) {
  mkdirSync(config.dataDir, {recursive: true, mode: 0o700})
  chmodSync(config.dataDir, 0o700)
  const lock = lockDataDir(config.dataDir)
  try {
    const master = loadMasterKey(config.dataDir, opts.env ?? process.env)
    const log = pino(loggerOptions(config.logLevel), opts.logStream ?? process.stdout)
    const db = await openStore(config)
    try {
      const notes = [describeStore(config)]
      await migrate(db)
      if (db.kind === 'embedded' && hasLegacyPglite(config.dataDir)) {
        const moved = await migrateLegacyPglite(config.dataDir, db)
        const rows = moved.tables.reduce((n, t) => n + t.rows, 0)
        notes.push(`upgraded: moved ${rows} rows from the old PGlite store into the embedded PostgreSQL, and removed the old files`)
      }
      return {...(await buildContext(config, opts, db, master, log, notes)), release: lock.release}
    } catch (error) {
      // The embedded cluster runs in its own process group: stop it, or it outlives us.
      await db.close().catch(() => {})
      throw error
    }
  } catch (error) {
    lock.release()
    throw error
  }
}

/** The driver (its options mapped from ServerConfig here: the runtime never sees it), the core, and the instances on both. */
async function buildContext(config: ServerConfig, opts: StartOptions, db: Db, master: Buffer, log: pino.Logger, notes: string[]) {
  const driver = await createLocalDriver({
    dataDir: config.dataDir,
    sandbox: config.instances.sandbox,
    memoryLimitMb: config.instances.memoryLimitMb,
    egressAllow: config.egressAllow,
    // The egress proxy re-checks every dialled address: a base URL that passed `keys set` cannot
    // reach a metadata service later by changing what its name resolves to.
    egressForbid: config.allowPrivateEgress ? undefined : isForbiddenAddress,
  })
  const iso = driver.isolation
  const core: ServerCore = {
    config,
    db,
    log,
    clock: opts.clock ?? systemClock,
    secrets: {
      tokenPepper: deriveSubkey(master, 'token-pepper'),
      dataKeyWrap: deriveSubkey(master, 'data-key-wrap'),
      signing: deriveSubkey(master, 'signing'),
    },
    onClose: [],
    startupNotes: [
      ...notes,
      `isolation: ${iso.mode}${iso.namespaces.length ? ` (namespaces: ${iso.namespaces.join(', ')})` : ''}${iso.note ? ` — ${iso.note}` : ''}`,
    ],
  }
  master.fill(0)
  // The lifecycle is what requests use (`ctx.instances`); supervision and sweeps run without one.
  const lifecycle = new InstanceLifecycle(core, driver)
  const supervision = new InstanceSupervision(core, lifecycle)
  const sweeps = new InstanceSweeps(core, lifecycle)
  driver.onEgress((record) => log.info({egress: record}, 'egress'))
  driver.onLog((id, stream, line) => log.info({instance: id, stream, line: line.slice(0, 2000)}, 'agent'))
  // One object, not a copy: the lifecycle sees the cluster that joinReplicas adds to the context.
  const ctx: ServerContext = Object.assign(core, {instances: lifecycle})
  return {ctx, supervision, sweeps}
}

export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const {ctx, release, supervision, sweeps} = await openServerContext(config, opts)
  let app: FastifyInstance | undefined
  let admin: FastifyInstance | undefined
  const adminSocket = adminSocketPath(config.dataDir)
  try {
    await joinReplicas(ctx)
    await supervision.reconcile()
    app = await buildApp(ctx)
    admin = await buildAdminApp(ctx)
    await app.listen({host: config.host, port: config.port})
    if (existsSync(adminSocket)) rmSync(adminSocket)
    await admin.listen({path: adminSocket})
    chmodSync(adminSocket, 0o600)
  } catch (error) {
    await app?.close().catch(() => {})
    await ctx.instances.shutdown().catch(() => {})
    await ctx.db.close().catch(() => {})
    release()
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `${config.tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
  if (!config.publicUrl) config.publicUrl = url
  // Tokens and passwords would cross the network in clear: say so where the operator looks.
  if (!config.tls && !/^(127\.|::1$|localhost$)/.test(config.host)) {
    ctx.startupNotes?.push(`warning: plain http on ${config.host}; serve TLS with --tls-cert/--tls-key, or put a TLS-terminating proxy in front (--trust-proxy)`)
  }

  let closing: Promise<void> | undefined
  const server: RunningServer = {
    url,
    adminSocket,
    ctx,
    app,
    close() {
      closing ??= (async () => {
        const drained = Promise.all([app.close(), admin.close()])
        const timedOut = new Promise<void>((resolve) => setTimeout(resolve, config.drainTimeoutMs).unref())
        await Promise.race([drained, timedOut])
        for (const hook of ctx.onClose.reverse()) await hook().catch((error) => ctx.log.error({err: error}, 'close hook failed'))
        await ctx.instances.shutdown().catch((error) => ctx.log.error({err: error}, 'instance shutdown failed'))
        await ctx.db.close().catch(() => {})
        rmSync(serverInfoFile(config.dataDir), {force: true})
        rmSync(adminSocket, {force: true})
        release()
      })()
      return closing
    },
  }
  startJob(ctx, sweeps.job())
  for (const hook of opts.onStarted ?? []) await hook(server)
  writeFileSync(serverInfoFile(config.dataDir), JSON.stringify({url, pid: process.pid, adminSocket}) + '\n', {mode: 0o600})
  return server
}
