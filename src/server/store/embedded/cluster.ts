import {type ChildProcess, spawn} from 'node:child_process'
import {chmodSync, chownSync, closeSync, cpSync, existsSync, lchownSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import pg from 'pg'
import {findPostgresBinaries, type PostgresBinaries} from './binaries.js'
import {EmbeddedPostgresError} from './errors.js'
import {processAlive} from '../../lock.js'
import {postgresServiceUser, type ServiceUser} from './service-user.js'

/**
 * The embedded store: a real PostgreSQL cluster under `<data-dir>/pg`, started and stopped by
 * `clawd server start`. It listens on a unix socket inside the data dir and on no TCP port, so
 * only the data dir's owner (and, when the server runs as root, the cluster's own service user)
 * can reach it; the socket trusts whoever can open it, which is exactly that.
 *
 *   <data-dir>/pg/data          PGDATA
 *   <data-dir>/pg/sock          the socket directory
 *   <data-dir>/pg/postgres.log  what the postmaster prints
 */
export interface EmbeddedCluster {
  /** Connection settings for `pg`: the socket directory, the superuser, the database. */
  connection: {host: string; user: string; database: string}
  pid: number
  /** Fast shutdown (SIGINT), waiting for the postmaster to exit. */
  stop(): Promise<void>
}

export const CLUSTER_SUPERUSER = 'clawd'
const PORT = 5432

export const clusterPaths = (dataDir: string) => {
  const root = join(dataDir, 'pg')
  return {root, data: join(root, 'data'), socket: join(root, 'sock'), log: join(root, 'postgres.log')}
}

export async function startEmbeddedCluster(dataDir: string, opts: {binaries?: PostgresBinaries} = {}): Promise<EmbeddedCluster> {
  const bin = opts.binaries ?? findPostgresBinaries()
  const user = postgresServiceUser()
  const paths = clusterPaths(dataDir)
  const socketFile = join(paths.socket, `.s.PGSQL.${PORT}`)
  if (Buffer.byteLength(socketFile) > 107) {
    throw new EmbeddedPostgresError(`The data dir's path is too long for a unix socket (${socketFile}).`, 'Use a shorter --data-dir.')
  }
  prepareDirectories(dataDir, paths, user)
  if (!existsSync(join(paths.data, 'PG_VERSION'))) await initialise(bin, paths.data, user)
  await stopOrphan(paths)
  const child = launch(bin, paths, user)
  await waitUntilReady(child, paths)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    connection: {host: paths.socket, user: CLUSTER_SUPERUSER, database: 'postgres'},
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      await exited
    },
  }
}

/**
 * When the server runs as root, the cluster's files belong to the service user, and the data
 * dir (0700, root's) lets that user's group traverse to them and nothing else (0710).
 */
function prepareDirectories(dataDir: string, paths: ReturnType<typeof clusterPaths>, user: ServiceUser | undefined): void {
  if (user) assertReachable(dirname(resolve(dataDir)), user)
  for (const dir of [paths.root, paths.socket]) {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    chmodSync(dir, 0o700)
    if (user) chownSync(dir, user.uid, user.gid)
  }
  if (user) {
    chownSync(dataDir, process.getuid!(), user.gid)
    chmodSync(dataDir, 0o710)
  }
}

/** Every directory above the data dir must let the service user pass, or PostgreSQL cannot open its files. */
function assertReachable(dir: string, user: ServiceUser): void {
  for (let at = dir; ; at = dirname(at)) {
    const st = statSync(at)
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001
    if (!(st.mode & bit)) {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL runs as the system user ${user.name} (PostgreSQL refuses root), and it cannot reach ${dir}: ${at} lets only its owner in.`,
        'Use a --data-dir it can reach, such as /var/lib/clawd/server (the default for root), or run on your own PostgreSQL with --database-url.',
      )
    }
    if (at === dirname(at)) return
  }
}

/**
 * initdb takes seconds (most of `server start` on a fresh data dir); its result is the same for
 * every cluster of one PostgreSQL build. So the first one is kept as a template in the user's
 * cache and copied for the next fresh data dirs. It holds no secret: the socket's trust rule
 * and an empty catalog.
 */
async function initialise(bin: PostgresBinaries, data: string, user: ServiceUser | undefined): Promise<void> {
  const template = templateDir(bin)
  if (existsSync(join(template, 'PG_VERSION'))) {
    rmSync(data, {recursive: true, force: true})
    cpSync(template, data, {recursive: true})
    if (user) chownTree(data, user)
    chmodSync(data, 0o700)
    return
  }
  rmSync(data, {recursive: true, force: true})
  await run(bin.initdb, ['-D', data, '-U', CLUSTER_SUPERUSER, '--auth-local=trust', '--auth-host=reject', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'], user)
  saveTemplate(data, template)
}

function templateDir(bin: PostgresBinaries): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return join(base, 'clawd', 'pg-template', `${bin.version}-${process.platform}-${process.arch}`)
}

function saveTemplate(data: string, template: string): void {
  const staging = `${template}.${process.pid}.tmp`
  try {
    rmSync(staging, {recursive: true, force: true})
    mkdirSync(join(template, '..'), {recursive: true, mode: 0o700})
    cpSync(data, staging, {recursive: true})
    renameSync(staging, template)
  } catch {
    // A cache we cannot write (read-only home) or another server's template that won: both fine.
    try {
      rmSync(staging, {recursive: true, force: true})
    } catch {}
  }
}

function chownTree(path: string, user: ServiceUser): void {
  lchownSync(path, user.uid, user.gid)
  if (!statSync(path).isDirectory()) return
  for (const name of readdirSync(path)) chownTree(join(path, name), user)
}

function run(file: string, args: string[], user: ServiceUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {stdio: ['ignore', 'pipe', 'pipe'], env: clusterEnv(), ...(user ? {uid: user.uid, gid: user.gid} : {})})
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (code === 0) resolve()
      else reject(new EmbeddedPostgresError(`initdb failed (${signal ?? `exit ${code}`}): ${output.trim().split('\n').slice(-5).join(' / ')}`))
    })
  })
}

/** PostgreSQL reads no settings of ours from the environment, and none of the server's secrets go there. */
function clusterEnv(): NodeJS.ProcessEnv {
  return {PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC'}
}

function launch(bin: PostgresBinaries, paths: ReturnType<typeof clusterPaths>, user: ServiceUser | undefined): ChildProcess {
  const log = openSync(paths.log, 'a', 0o600)
  try {
    if (user) chownSync(paths.log, user.uid, user.gid)
    const settings: Record<string, string> = {
      listen_addresses: '',
      unix_socket_directories: paths.socket,
      unix_socket_permissions: '0700',
      port: String(PORT),
      // Small and quiet: one server's metadata, not a shared database server.
      shared_buffers: '16MB',
      max_connections: '40',
      io_method: 'sync',
      wal_level: 'minimal',
      max_wal_senders: '0',
      huge_pages: 'off',
      // Old WAL segments are deleted, not renamed for reuse with their old bytes inside: a purge
      // after a delete (store/purge.ts) must leave nothing of the deleted rows in the data dir.
      wal_recycle: 'off',
      log_min_messages: 'warning',
      log_timezone: 'UTC',
      timezone: 'UTC',
    }
    const args = ['-D', paths.data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]
    // Its own process group: a Ctrl-C at the terminal reaches the server, which drains its
    // requests and then stops the cluster, instead of the cluster dying under them.
    return spawn(bin.postgres, args, {stdio: ['ignore', log, log], detached: true, env: clusterEnv(), ...(user ? {uid: user.uid, gid: user.gid} : {})})
  } finally {
    closeSync(log)
  }
}

/** Waits by watching: connects until the cluster answers, and fails only if the postmaster exits. */
async function waitUntilReady(child: ChildProcess, paths: ReturnType<typeof clusterPaths>): Promise<void> {
  let exit: string | undefined
  child.once('exit', (code, signal) => (exit = signal ?? `exit ${code}`))
  child.once('error', (error) => (exit = error.message))
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    if (exit) throw new EmbeddedPostgresError(`The embedded PostgreSQL stopped while starting (${exit}): ${tail(paths.log)}`)
    const client = new pg.Client({host: paths.socket, port: PORT, user: CLUSTER_SUPERUSER, database: 'postgres'})
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
      await client.end()
      return
    } catch {
      await client.end().catch(() => {})
    }
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' / ')
  } catch {
    return 'no log'
  }
}

/**
 * A server killed with SIGKILL leaves its postmaster running (it is in its own process group) and
 * postmaster.pid behind. We hold the data dir's lock, so a postmaster still serving this PGDATA is
 * that orphan: stop it and wait, then start afresh. A postmaster.pid whose process is gone, or
 * whose pid now belongs to another program, is removed (PostgreSQL would refuse to start on a
 * reused pid).
 */
async function stopOrphan(paths: ReturnType<typeof clusterPaths>): Promise<void> {
  const pidFile = join(paths.data, 'postmaster.pid')
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  if (pid > 0 && isOurPostmaster(pid, paths.data)) {
    process.kill(pid, 'SIGINT')
    for (let delay = 20, waited = 0; processAlive(pid); waited += delay, delay = Math.min(delay * 2, 250)) {
      // Fast shutdown waits for nothing but its own checkpoint; if that hangs, go immediate.
      if (waited > 30_000) process.kill(pid, 'SIGQUIT')
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
  rmSync(pidFile, {force: true})
  rmSync(join(paths.socket, `.s.PGSQL.${PORT}.lock`), {force: true})
}

function isOurPostmaster(pid: number, data: string): boolean {
  if (!processAlive(pid)) return false
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return argv.some((a) => a.endsWith('/postgres')) && argv.includes(data)
  } catch {
    // No /proc (macOS): trust postmaster.pid, which names this PGDATA on its second line.
    return process.platform !== 'linux'
  }
}
