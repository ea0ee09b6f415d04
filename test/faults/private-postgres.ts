import {execFile, execFileSync, spawnSync} from 'node:child_process'
import {promisify} from 'node:util'
import {chownSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {freePort} from '../helpers/port.js'

/**
 * A throwaway PostgreSQL cluster of its own (initdb in a temp dir, its own port on 127.0.0.1),
 * so a test can stop and restart PostgreSQL without touching the machine's shared cluster that
 * other suites use at the same time. Runs the server binaries as the `postgres` user when the
 * tests run as root (initdb refuses root).
 */
export interface PrivatePostgres {
  url: string
  stop(): Promise<void>
  start(): Promise<void>
  restart(): Promise<void>
  /** Stops it (immediately) and removes its files; safe to call twice. */
  dispose(): void
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

function postgresIds(): {uid: number; gid: number} | undefined {
  const id = spawnSync('id', ['-u', 'postgres'], {encoding: 'utf8'})
  const gid = spawnSync('id', ['-g', 'postgres'], {encoding: 'utf8'})
  if (id.status !== 0 || gid.status !== 0) return undefined
  return {uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim())}
}

/** Why a private cluster cannot be made here, or undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  if (!binDir()) return 'no PostgreSQL server binaries under /usr/lib/postgresql'
  if (process.getuid?.() === 0 && !postgresIds()) return 'running as root and there is no postgres user to run initdb as'
  return undefined
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()!
  const asRoot = process.getuid?.() === 0
  const ids = asRoot ? postgresIds()! : undefined
  const dir = mkdtempSync(join(tmpdir(), 'clawd-pg-'))
  if (ids) chownSync(dir, ids.uid, ids.gid)
  const data = join(dir, 'data')
  const port = await freePort()
  const run = (tool: string, args: string[]) =>
    execFileSync(join(bin, tool), args, {cwd: dir, uid: ids?.uid, gid: ids?.gid, stdio: 'pipe', timeout: 60_000, env: {PATH: process.env.PATH, LC_ALL: 'C'}})
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`
  const ctlArgs = (args: string[]) => ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', ...args]
  // Async, so requests in flight keep being served while PostgreSQL stops and starts.
  const ctl = async (...args: string[]) => {
    await promisify(execFile)(join(bin, 'pg_ctl'), ctlArgs(args), {cwd: dir, uid: ids?.uid, gid: ids?.gid, timeout: 60_000, env: {PATH: process.env.PATH, LC_ALL: 'C'}})
  }
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await ctl('-o', opts, 'start')
    },
    async stop() {
      await ctl('-m', 'fast', 'stop')
    },
    async restart() {
      await ctl('-m', 'fast', '-o', opts, 'restart')
    },
    dispose() {
      // Whatever state a failed test left it in: an immediate stop of a stopped cluster is harmless.
      try {
        run('pg_ctl', ctlArgs(['-m', 'immediate', 'stop']))
      } catch {}
      rmSync(dir, {recursive: true, force: true})
    },
  }
  try {
    await pg.start()
  } catch (error) {
    pg.dispose()
    throw error
  }
  return pg
}
